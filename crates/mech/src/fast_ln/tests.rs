//! Accuracy of the fast logarithm against `f64::ln`, and agreement of its kernels.

use super::*;

/// The stated bound, in units in the last place of `f64::ln`'s result.
const MAX_ULPS: u64 = 2;

/// Distance in representable doubles between two finite values of the same sign (or zero).
fn ulps(a: f64, b: f64) -> u64 {
    let ordered = |x: f64| {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    ordered(a).abs_diff(ordered(b))
}

/// xorshift64*: a reproducible stream of 64-bit values.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Worst ulp distance of every kernel over `xs`, checking that the lanes of `ln4` give the
/// same bits as the scalar `ln` of the same kernel set.
fn worst(xs: &[f64]) -> u64 {
    let mut worst = 0;
    for ln in [FastLn::detect(), FastLn::portable()] {
        for chunk in xs.chunks_exact(4) {
            let x = [chunk[0], chunk[1], chunk[2], chunk[3]];
            let got = ln.ln4(x);
            for l in 0..4 {
                let want = x[l].ln();
                assert_eq!(got[l].to_bits(), ln.ln(x[l]).to_bits(), "lane {l} of {x:?}");
                let d = ulps(got[l], want);
                assert!(
                    d <= MAX_ULPS,
                    "ln({:e}) = {:e}, want {want:e}",
                    x[l],
                    got[l]
                );
                worst = worst.max(d);
            }
        }
    }
    worst
}

#[test]
fn random_arguments_over_the_whole_normal_range() {
    let mut r = Stream(0x9e37_79b9_7f4a_7c15);
    // Uniform over the bit patterns of positive normal doubles: every binade equally.
    let xs: Vec<f64> = (0..2_000_000)
        .map(|_| {
            let bits = r.next() % (f64::MAX.to_bits() - f64::MIN_POSITIVE.to_bits());
            f64::from_bits(f64::MIN_POSITIVE.to_bits() + bits)
        })
        .collect();
    let w = worst(&xs);
    assert!(w <= 1, "worst {w} ulp");
}

#[test]
fn arguments_near_one_and_in_concentration_ratios() {
    let mut r = Stream(12345);
    let mut xs = Vec::new();
    for scale in [1e-15, 1e-9, 1e-4, 0.05, 0.3, 0.45] {
        xs.extend((0..200_000).map(|_| 1.0 + scale * (2.0 * r.unit() - 1.0)));
    }
    // Ratios outside/inside of na, k, ca and friends: 1e-3 … 1e6.
    xs.extend((0..800_000).map(|_| 10f64.powf(9.0 * r.unit() - 3.0)));
    let w = worst(&xs);
    assert!(w <= 1, "worst {w} ulp");
}

#[test]
fn edge_cases() {
    let mut xs = vec![
        1.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        2.0,
        0.5,
        std::f64::consts::E,
        std::f64::consts::SQRT_2,
        std::f64::consts::FRAC_1_SQRT_2,
    ];
    // Neighbours of 1, of the reduction boundary √½·2ᵏ and of powers of two, across binades.
    for k in -1022..1024 {
        let p = 2f64.powi(k);
        for base in [
            p,
            p * std::f64::consts::SQRT_2,
            p * std::f64::consts::FRAC_1_SQRT_2,
        ] {
            if !(f64::MIN_POSITIVE..=f64::MAX).contains(&base) {
                continue;
            }
            for step in -3i64..=3 {
                let x = f64::from_bits((base.to_bits() as i64 + step) as u64);
                if (f64::MIN_POSITIVE..=f64::MAX).contains(&x) {
                    xs.push(x);
                }
            }
        }
    }
    for step in 1..1000u64 {
        xs.push(f64::from_bits(1f64.to_bits() + step));
        xs.push(f64::from_bits(1f64.to_bits() - step));
    }
    // Subnormals and the top of the range.
    for bits in [1u64, 2, 3, 1 << 20, (1 << 52) - 1, (1 << 51) + 12345] {
        xs.push(f64::from_bits(bits));
        xs.push(f64::from_bits(f64::MAX.to_bits() - bits));
    }
    while xs.len() % 4 != 0 {
        xs.push(1.0);
    }
    let w = worst(&xs);
    assert!(w <= MAX_ULPS, "worst {w} ulp");
    for ln in [FastLn::detect(), FastLn::portable()] {
        assert_eq!(ln.ln(1.0), 0.0);
        assert_eq!(ln.ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln.ln(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln.ln(f64::INFINITY), f64::INFINITY);
        assert!(ln.ln(-1.0).is_nan());
        assert!(ln.ln(f64::NEG_INFINITY).is_nan());
        assert!(ln.ln(f64::NAN).is_nan());
        let special = ln.ln4([f64::NAN, 0.0, -2.0, f64::INFINITY]);
        assert!(special[0].is_nan() && special[2].is_nan());
        assert_eq!(special[1], f64::NEG_INFINITY);
        assert_eq!(special[3], f64::INFINITY);
        // Mixed lanes: the normal ones keep their accuracy.
        let mixed = ln.ln4([0.0, 3.0, 1e-310, 7.5]);
        assert!(ulps(mixed[1], 3f64.ln()) <= 1 && ulps(mixed[3], 7.5f64.ln()) <= 1);
        assert!(ulps(mixed[2], 1e-310f64.ln()) <= 1);
    }
}
