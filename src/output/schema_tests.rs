//! Tests of the result files' schema: each file's rows written and read
//! back, and the numbers in the form `num` gives them.

use super::*;

#[test]
fn a_row_type_names_its_columns_and_writes_numbers_as_result_files_do() {
    assert_eq!(
        columns::<ProcessRow>(),
        [
            "year",
            "step",
            "process",
            "enterprise",
            "activity",
            "capacity"
        ]
    );
    let row = |activity: f64, capacity: Option<f64>| ProcessRow {
        year: 2012,
        step: 0,
        process: "p, q".into(),
        enterprise: "e".into(),
        activity,
        capacity,
    };
    let bytes = csv_bytes([row(-0.0, None), row(1.0, Some(1e21)), row(0.1, Some(2.5))]).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "year,step,process,enterprise,activity,capacity\n\
         2012,0,\"p, q\",e,0,\n\
         2012,0,\"p, q\",e,1,1000000000000000000000\n\
         2012,0,\"p, q\",e,0.1,2.5\n"
    );
    let back: Vec<ProcessRow> = parse_rows(Path::new("processes.csv"), &text).unwrap();
    assert_eq!(
        back,
        [row(0.0, None), row(1.0, Some(1e21)), row(0.1, Some(2.5))]
    );
    // No rows: the header alone.
    let none: [ProcessRow; 0] = [];
    assert_eq!(
        csv_bytes(none).unwrap(),
        b"year,step,process,enterprise,activity,capacity\n"
    );
}

#[test]
fn years_csv_round_trips_with_its_pollutant_columns() {
    let pollutants = ["so2".to_string(), "cod".to_string()];
    let rows = [YearRow {
        year: 2015,
        linkage_mass: 0.5,
        linkage_product: 0.25,
        linkage_enterprise: 0.0,
        linkage_band: None,
        emissions: vec![
            PollutantYear {
                park: 1.5,
                total: 3.0,
                limit: Some(4.0),
                total_band: None,
            },
            PollutantYear {
                park: 2.0,
                total: 2.0,
                limit: None,
                total_band: None,
            },
        ],
    }];
    let text = String::from_utf8(YearRow::csv(&pollutants, &rows).unwrap()).unwrap();
    assert_eq!(
        text,
        "year,linkage_mass,linkage_product,linkage_enterprise,so2_park,so2_total,so2_limit,cod_park,cod_total,cod_limit\n\
         2015,0.5,0.25,0,1.5,3,4,2,2,\n"
    );
    let (read, back) = YearRow::parse(Path::new("years.csv"), &text).unwrap();
    assert_eq!(
        (read.as_slice(), back.as_slice()),
        (&pollutants[..], &rows[..])
    );
    let names: Vec<String> = rows[0]
        .columns(&pollutants)
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(names, YearRow::header(&pollutants, false)[1..]);

    // With bands drawn, each band follows its central value, and reads back.
    let mut banded = rows.clone();
    banded[0].linkage_band = Some((0.4, 0.6));
    banded[0].emissions[0].total_band = Some((2.5, 3.5));
    banded[0].emissions[1].total_band = Some((1.0, 3.0));
    let text = String::from_utf8(YearRow::csv(&pollutants, &banded).unwrap()).unwrap();
    assert_eq!(
        text,
        "year,linkage_mass,linkage_product,linkage_enterprise,linkage_p05,linkage_p95,so2_park,so2_total,so2_limit,so2_total_p05,so2_total_p95,cod_park,cod_total,cod_limit,cod_total_p05,cod_total_p95\n\
         2015,0.5,0.25,0,0.4,0.6,1.5,3,4,2.5,3.5,2,2,,1,3\n"
    );
    let (_, back) = YearRow::parse(Path::new("years.csv"), &text).unwrap();
    assert_eq!(back, banded);
    let names: Vec<String> = banded[0]
        .columns(&pollutants)
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(names, YearRow::header(&pollutants, true)[1..]);
}
