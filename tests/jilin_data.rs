//! Facts about the default Jilin park's data (`flows/jilin.ron`) that a
//! domain reviewer checks first: every material states its elements, the
//! ACH-MMA unit's spent acid carries all the sulfur of its acid, the park's
//! SO2 is the sum of its sources, and the city background follows from the
//! provincial statistics of `flows/SOURCES.md` §6 rather than from the caps.
//! Each expectation is computed by hand from the cited figures.
use parkflow::engine::Plan;
use parkflow::model::balance::balances;
use parkflow::model::{BUILTIN_PARK, BUILTIN_PARK_NAME, Park, parse_park, validate};
use parkflow::output::simulate;

fn jilin() -> Park {
    let park = parse_park(BUILTIN_PARK, BUILTIN_PARK_NAME).unwrap();
    validate(&park, BUILTIN_PARK_NAME).unwrap();
    park
}

/// Year `year`'s indicators of the default park: (park, background) per
/// pollutant id.
fn emissions(park: &Park, year: i32, pollutant: &str) -> (f64, f64) {
    let k = park
        .pollutants
        .iter()
        .position(|p| p.id == pollutant)
        .unwrap();
    let sim = simulate(&Plan::compile(park)).unwrap();
    let y = sim.years.iter().find(|y| y.year == year).unwrap();
    (y.park[k], y.background[k])
}

#[test]
fn every_material_states_its_carbon_nitrogen_and_sulfur() {
    let park = jilin();
    for m in &park.materials {
        for element in ["C", "N", "S"] {
            let f = m.composition.get(element).unwrap_or_else(|| {
                panic!("material `{}` does not state its {element} fraction", m.id)
            });
            assert!((0.0..=1.0).contains(f), "`{}` {element} = {f}", m.id);
        }
    }
}

#[test]
fn the_mma_units_spent_acid_carries_all_the_sulfur_of_its_acid() {
    let park = jilin();
    let all = balances(&park);
    let s = all
        .iter()
        .find(|b| b.process == "jpcc_mma" && b.what == "S")
        .expect("an S balance for jpcc_mma");
    // 1.5 t H2SO4 per t MMA × 32.06 / 98.08 = 0.4903 t S in; the 1.763 t of
    // spent acid at 27.82% S carries 0.4905 t out.
    assert!((s.inputs - 0.4903).abs() < 5e-4, "{s:?}");
    assert!((s.outputs - 0.4905).abs() < 5e-4, "{s:?}");
    // Nitrogen: 0.30 t HCN × 14.01 / 27.03 = 0.1555 t in; 0.1504 t leaves as
    // NH4HSO4, the rest (3%) with the incinerated off-gas.
    let n = all
        .iter()
        .find(|b| b.process == "jpcc_mma" && b.what == "N")
        .unwrap();
    assert!((n.inputs - 0.1555).abs() < 5e-4, "{n:?}");
    assert!(n.relative_gap() < 0.05, "{n:?}");
}

#[test]
fn the_parks_2012_so2_is_the_sum_of_its_sources() {
    // CHP:        11.6 Mt steam × 0.86 × 1.536 kg/t × (1 − 0.75 FGD) = 3,830.8 t
    // refinery:   7.0 Mt fuels × 0.85 × 0.6 kg/t                     = 3,570.0 t
    // boilers:    1.0 Mt steam × 0.8 × 1.536 kg/t × (1 − 0.3)        =   860.2 t
    // coke ovens: 1.0 Mt × 0.9 × 0.35 kg/t                           =   315.0 t
    // flared COG: 0.9 Mt coke × 250 Nm3/t × 0.94 g/Nm3               =   211.5 t
    // cracker:    850 kt × 0.9 × 0.05 kg/t                           =    38.3 t
    // flare gas:  850 kt × 0.9 × 0.005 t/t × 0.5 kg/t                =     1.9 t
    // total                                                           = 8,827.7 t
    let park = jilin();
    let (so2, _) = emissions(&park, 2012, "so2");
    assert!((so2 - 8827.7).abs() < 1.0, "{so2}");
}

#[test]
fn the_city_background_follows_from_provincial_statistics_not_from_the_caps() {
    let park = jilin();
    // SOURCES.md §6. SO2: the province's first half of 2011, 22.60 × 10^4 t,
    // 1.14% below the first half of 2010; a year is 1.9 halves; two years at
    // the 12th FYP rate (0.92 over five years); Jilin City's share 20%.
    let so2_city = 22.60e4 / (1.0 - 0.0114) * 1.9 * 0.92_f64.powf(0.4) * 0.20;
    let (park_so2, bg_so2) = emissions(&park, 2012, "so2");
    assert!((park_so2 + bg_so2 - so2_city).abs() < 1.0, "{so2_city}");
    // COD: 41.00 × 10^4 t, 1.73% below 2010; two halves; the city's share of
    // the province's residents, 16.1% (2010 census).
    let cod_city = 41.00e4 / (1.0 - 0.0173) * 2.0 * 0.92_f64.powf(0.4) * 0.161;
    let (park_cod, bg_cod) = emissions(&park, 2012, "cod");
    assert!((park_cod + bg_cod - cod_city).abs() < 1.0, "{cod_city}");
    // From 2012 to 2017 the background falls at the national rates alone:
    // three years at 0.92^(1/5), two at 0.85^(1/5) for SO2.
    let (_, bg_2017) = emissions(&park, 2017, "so2");
    let factor = 0.92_f64.powf(0.6) * 0.85_f64.powf(0.4);
    assert!((bg_2017 - bg_so2 * factor).abs() < 2.0, "{bg_2017}");
    // The park is a realistic part of the city: about a tenth of its SO2.
    let share = park_so2 / (park_so2 + bg_so2);
    assert!((share - 0.105).abs() < 0.001, "{share}");
}

#[test]
fn every_process_of_the_default_park_closes_mass_and_elements_within_two_percent() {
    let out = assert_cmd::Command::cargo_bin("parkflow")
        .unwrap()
        .args(["check", "--tolerance", "0.02", "--json"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/flows/jilin.ron"))
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["imbalances"], serde_json::json!([]), "{json}");
    assert_eq!(json["warnings"], serde_json::json!([]), "{json}");
}
