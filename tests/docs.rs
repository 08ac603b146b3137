//! Code the docs show that is also a file of the repository: each block
//! after an `<!-- include: PATH -->` line in docs/*.md must be that file,
//! byte for byte, so that what the docs show is what the tests run (the
//! Slurm job scripts, which `tests/slurm/run.sh` submits as they are).

use std::path::Path;

/// The fenced blocks that follow `<!-- include: PATH -->` lines in `text`:
/// (line of the marker, path, the block's text with its lines' ends), or
/// an error naming the line of a marker with no block after it.
fn included_blocks(text: &str) -> Result<Vec<(usize, String, String)>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(path) = line
            .trim()
            .strip_prefix("<!-- include: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        // The block opens on the next line and closes at the next fence.
        let open = lines
            .get(i + 1)
            .filter(|l| l.starts_with("```"))
            .ok_or(format!("line {}: no ``` block after the include", i + 1))?;
        let body: Vec<&str> = lines[i + 2..]
            .iter()
            .take_while(|l| l.trim_end() != "```")
            .copied()
            .collect();
        if i + 2 + body.len() >= lines.len() {
            return Err(format!("line {}: the {open} block is not closed", i + 2));
        }
        blocks.push((i + 1, path.to_string(), body.concat()));
    }
    Ok(blocks)
}

#[test]
fn the_slurm_scripts_in_distributed_md_are_the_files_the_slurm_test_submits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/DISTRIBUTED.md")).unwrap();
    let blocks = included_blocks(&doc).unwrap();
    let paths: Vec<&str> = blocks.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["docs/slurm/sweep-array.sh", "docs/slurm/merge.sh"],
        "DISTRIBUTED.md includes the job array, then the merge job"
    );
    for (line, path, block) in &blocks {
        let file = std::fs::read_to_string(root.join(path)).unwrap();
        assert!(
            *block == file,
            "docs/DISTRIBUTED.md line {line}: the block differs from {path}; copy the file into the block"
        );
    }
    // The test submits exactly these files.
    let test = std::fs::read_to_string(root.join("tests/slurm/run.sh")).unwrap();
    for path in paths {
        assert!(
            test.contains(&format!("\"$root/{path}\"")),
            "tests/slurm/run.sh does not submit {path}"
        );
    }
}

#[test]
fn every_include_in_the_docs_is_its_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut included = 0;
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let doc = std::fs::read_to_string(&path).unwrap();
        let blocks = included_blocks(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (line, file, block) in blocks {
            let text = std::fs::read_to_string(root.join(&file))
                .unwrap_or_else(|e| panic!("{} line {line}: {file}: {e}", path.display()));
            assert!(
                block == text,
                "{} line {line}: the block differs from {file}",
                path.display()
            );
            included += 1;
        }
    }
    assert!(included >= 2, "the Slurm scripts are included");
}

#[test]
fn a_block_that_differs_from_its_file_or_is_not_closed_is_found() {
    let doc = "text\n<!-- include: a.sh -->\n```bash\necho 1\necho 2\n```\nmore\n";
    assert_eq!(
        included_blocks(doc),
        Ok(vec![(2, "a.sh".into(), "echo 1\necho 2\n".into())])
    );
    assert!(included_blocks("<!-- include: a.sh -->\n```bash\necho 1\n").is_err());
    assert!(included_blocks("<!-- include: a.sh -->\necho 1\n").is_err());
}
