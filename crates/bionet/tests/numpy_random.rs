//! The numpy port against numpy's own output (`fixtures/numpy_random.json`, written by
//! `scripts/make_numpy_fixture.py` with numpy 2.4).

use bionet::numpy_random::{cumsum, numpy_sum, RandomState};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    seeds: Vec<SeedCase>,
    by_array: Vec<ByArray>,
    sums: Vec<SumCase>,
}

#[derive(Deserialize)]
struct SeedCase {
    seed: u64,
    raw_u32: Vec<u32>,
    random_sample: Vec<f64>,
    randint: Vec<(i64, i128, Vec<i64>)>,
    uniform: Vec<(f64, f64, Vec<f64>)>,
    choice: Vec<ChoiceCase>,
}

#[derive(Deserialize)]
struct ChoiceCase {
    n: usize,
    size: usize,
    replace: bool,
    p: Option<Vec<f64>>,
    result: Vec<usize>,
}

#[derive(Deserialize)]
struct ByArray {
    key: Vec<u64>,
    raw_u32: Vec<u32>,
}

#[derive(Deserialize)]
struct SumCase {
    seed: u64,
    n: usize,
    scale: f64,
    sum: f64,
    cumsum_last: f64,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/numpy_random.json")).expect("numpy fixture parses")
}

#[test]
fn integer_seeds_reproduce_raw_words_doubles_and_uniforms() {
    for case in fixture().seeds {
        let mut rs = RandomState::new(case.seed).unwrap();
        let raw: Vec<u32> = (0..case.raw_u32.len())
            .map(|_| rs.bit_generator().next_u32())
            .collect();
        assert_eq!(raw, case.raw_u32, "raw words, seed {}", case.seed);

        let mut rs = RandomState::new(case.seed).unwrap();
        assert_eq!(
            rs.random_samples(case.random_sample.len()),
            case.random_sample,
            "seed {}",
            case.seed
        );

        let mut rs = RandomState::new(case.seed).unwrap();
        for (low, high, expected) in &case.uniform {
            let got: Vec<f64> = (0..expected.len())
                .map(|_| rs.uniform(*low, *high).unwrap())
                .collect();
            assert_eq!(&got, expected, "uniform({low}, {high}), seed {}", case.seed);
        }
    }
}

#[test]
fn randint_matches_numpy_masked_sampling() {
    for case in fixture().seeds {
        let mut rs = RandomState::new(case.seed).unwrap();
        for (low, high, expected) in &case.randint {
            // numpy's bound 2**62 + 3 fits i64; the fixture stores it as a wide integer.
            let high = i64::try_from(*high).unwrap();
            let got = rs.randints(*low, high, expected.len()).unwrap();
            assert_eq!(&got, expected, "randint({low}, {high}), seed {}", case.seed);
        }
    }
}

#[test]
fn choice_matches_numpy_with_and_without_p_and_replacement() {
    for case in fixture().seeds {
        let mut rs = RandomState::new(case.seed).unwrap();
        for c in &case.choice {
            let got = rs.choice(c.n, c.size, c.replace, c.p.as_deref()).unwrap();
            assert_eq!(
                got, c.result,
                "choice(n={}, size={}, replace={}), seed {}",
                c.n, c.size, c.replace, case.seed
            );
        }
    }
}

#[test]
fn array_seeds_use_init_by_array() {
    for case in fixture().by_array {
        let mut rs = RandomState::from_array(&case.key).unwrap();
        let raw: Vec<u32> = (0..case.raw_u32.len())
            .map(|_| rs.bit_generator().next_u32())
            .collect();
        assert_eq!(raw, case.raw_u32, "key of length {}", case.key.len());
    }
}

#[test]
fn sums_round_like_numpy() {
    for case in fixture().sums {
        let values: Vec<f64> = RandomState::new(case.seed)
            .unwrap()
            .random_samples(case.n)
            .into_iter()
            .map(|v| v * case.scale)
            .collect();
        assert_eq!(numpy_sum(&values), case.sum, "np.sum of {} values", case.n);
        assert_eq!(
            *cumsum(&values).last().unwrap(),
            case.cumsum_last,
            "np.cumsum of {} values",
            case.n
        );
    }
}
