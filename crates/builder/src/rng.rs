//! Counter-based random numbers: every draw is a pure function of (seed, stream, a, b), so a
//! connection decision depends only on the seed and the two node ids — not on iteration
//! order — which keeps builds reproducible and lets a symmetric rule draw once per pair.
//!
//! The mixer is SplitMix64's finaliser (Stafford's variant 13), applied in a chain:
//! $h = \mathrm{mix}(s \oplus \mathrm{mix}(t \oplus \mathrm{mix}(a \oplus \mathrm{mix}(b))))$
//! with each input first offset by a distinct odd constant.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijection on u64 with good avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stream of draws keyed by a seed and a stream label (e.g. which edge type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    key: u64,
}

impl Stream {
    pub fn new(seed: u64, stream: u64) -> Stream {
        Stream {
            key: mix64(
                seed.wrapping_add(GOLDEN)
                    ^ mix64(stream.wrapping_mul(GOLDEN) ^ 0x5851_F42D_4C95_7F2D),
            ),
        }
    }

    /// 64 random bits for the pair (a, b).
    #[inline]
    pub fn bits(&self, a: u64, b: u64) -> u64 {
        let inner = mix64(b.wrapping_add(0xD1B5_4A32_D192_ED03));
        mix64(self.key ^ mix64(a.wrapping_add(GOLDEN) ^ inner))
    }

    /// The part of [`Stream::bits`] that depends on `b` only, to hoist out of loops.
    #[inline]
    pub fn target_key(&self, b: u64) -> u64 {
        mix64(b.wrapping_add(0xD1B5_4A32_D192_ED03))
    }

    /// [`Stream::uniform`] with `b` already keyed by [`Stream::target_key`].
    #[inline]
    pub fn uniform_keyed(&self, a: u64, b_key: u64) -> f64 {
        let bits = mix64(self.key ^ mix64(a.wrapping_add(GOLDEN) ^ b_key));
        (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in $[0, 1)$ with 53 random bits.
    #[inline]
    pub fn uniform(&self, a: u64, b: u64) -> f64 {
        (self.bits(a, b) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box–Muller on two uniforms of the same pair):
    /// $z = \sqrt{-2 \ln(1 - u_1)}\,\cos(2\pi u_2)$.
    pub fn normal(&self, a: u64, b: u64) -> f64 {
        let u1 = self.uniform(a, b.wrapping_mul(2));
        let u2 = self.uniform(a, b.wrapping_mul(2).wrapping_add(1));
        (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// A stable 64-bit label for a string (FNV-1a), used to derive per-item streams.
pub fn label(text: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_in_range_and_roughly_flat() {
        let s = Stream::new(7, 1);
        let n = 200_000u64;
        let mut bins = [0u32; 10];
        for i in 0..n {
            let u = s.uniform(i, i / 3);
            assert!((0.0..1.0).contains(&u));
            bins[(u * 10.0) as usize] += 1;
        }
        for b in bins {
            let expected = n as f64 / 10.0;
            assert!(
                (f64::from(b) - expected).abs() < 0.03 * expected,
                "{bins:?}"
            );
        }
    }

    #[test]
    fn keyed_draws_equal_plain_draws() {
        let s = Stream::new(11, 2);
        assert_eq!(s.uniform(5, 9), s.uniform_keyed(5, s.target_key(9)));
    }

    #[test]
    fn streams_and_seeds_differ() {
        assert_ne!(Stream::new(1, 0).bits(3, 4), Stream::new(2, 0).bits(3, 4));
        assert_ne!(Stream::new(1, 0).bits(3, 4), Stream::new(1, 1).bits(3, 4));
        assert_ne!(Stream::new(1, 0).bits(3, 4), Stream::new(1, 0).bits(4, 3));
    }

    #[test]
    fn normal_has_unit_variance() {
        let s = Stream::new(3, 9);
        let n = 100_000u64;
        let (mut sum, mut sq) = (0.0, 0.0);
        for i in 0..n {
            let z = s.normal(i, 0);
            sum += z;
            sq += z * z;
        }
        let mean = sum / n as f64;
        let var = sq / n as f64 - mean * mean;
        assert!(
            mean.abs() < 0.02 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
    }
}
