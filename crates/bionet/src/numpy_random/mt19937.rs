//! The Mersenne Twister MT19937 bit generator exactly as numpy's `numpy/random/src/mt19937`
//! runs it under the legacy `RandomState`: the two seeding routines, the state twist, the
//! tempering, and the 53-bit double built from two 32-bit draws.

use crate::Error;

/// Words of MT19937 state.
const STATE_LEN: usize = 624;
/// Twist offset.
const SHIFT: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// MT19937 state: 624 words and the read position (624 means "twist before the next read").
#[derive(Clone)]
pub struct Mt19937 {
    key: [u32; STATE_LEN],
    pos: usize,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt19937")
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl Mt19937 {
    /// Knuth's linear seeding (`mt19937_seed`, the reference `init_genrand`), which numpy's
    /// legacy seeding uses when the seed is a Python integer:
    /// $k_0 = s$, $k_i = 1812433253\,(k_{i-1} \oplus (k_{i-1} \gg 30)) + i \bmod 2^{32}$.
    pub fn from_seed(seed: u32) -> Self {
        let mut key = [0u32; STATE_LEN];
        key[0] = seed;
        for i in 1..STATE_LEN {
            let prev = key[i - 1];
            key[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 {
            key,
            pos: STATE_LEN,
        }
    }

    /// The reference `init_by_array`, used by numpy when the seed is a sequence of integers
    /// (`RandomState([1, 2, 3])`). Ends with the MSB of word 0 set, as the reference does.
    pub fn from_key(init_key: &[u32]) -> Result<Self, Error> {
        if init_key.is_empty() {
            return Err(Error::InvalidSeed("seed array must be non-empty".into()));
        }
        let mut state = Mt19937::from_seed(19_650_218);
        let mt = &mut state.key;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..STATE_LEN.max(init_key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(init_key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= STATE_LEN {
                mt[0] = mt[STATE_LEN - 1];
                i = 1;
            }
            if j >= init_key.len() {
                j = 0;
            }
        }
        for _ in 0..STATE_LEN - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= STATE_LEN {
                mt[0] = mt[STATE_LEN - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        state.pos = STATE_LEN;
        Ok(state)
    }

    /// Regenerates all 624 words (`mt19937_gen`).
    fn twist(&mut self) {
        let k = &mut self.key;
        let mix = |hi: u32, lo: u32| {
            let y = (hi & UPPER_MASK) | (lo & LOWER_MASK);
            (y >> 1) ^ (0u32.wrapping_sub(y & 1) & MATRIX_A)
        };
        for i in 0..STATE_LEN - SHIFT {
            k[i] = k[i + SHIFT] ^ mix(k[i], k[i + 1]);
        }
        for i in STATE_LEN - SHIFT..STATE_LEN - 1 {
            k[i] = k[i + SHIFT - STATE_LEN] ^ mix(k[i], k[i + 1]);
        }
        k[STATE_LEN - 1] = k[SHIFT - 1] ^ mix(k[STATE_LEN - 1], k[0]);
        self.pos = 0;
    }

    /// Next tempered 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == STATE_LEN {
            self.twist();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Two 32-bit outputs, the first in the high half (`mt19937_next64`).
    pub fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        (hi << 32) | self.next_u32() as u64
    }

    /// A double in [0, 1) with 53 random bits: $(a \cdot 2^{26} + b)/2^{53}$ with
    /// $a$ = first draw ≫ 5 (27 bits) and $b$ = second draw ≫ 6 (26 bits).
    pub fn next_f64(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_init_by_array_sequence() {
        // The first outputs printed by Matsumoto & Nishimura's mt19937ar.c test program,
        // which seeds with init_by_array({0x123, 0x234, 0x345, 0x456}).
        let mut mt = Mt19937::from_key(&[0x123, 0x234, 0x345, 0x456]).unwrap();
        let first: Vec<u32> = (0..5).map(|_| mt.next_u32()).collect();
        assert_eq!(
            first,
            vec![
                1_067_595_299,
                955_945_823,
                477_289_528,
                4_107_218_783,
                4_228_976_476
            ]
        );
    }

    #[test]
    fn empty_key_is_rejected() {
        assert!(Mt19937::from_key(&[]).is_err());
    }
}
