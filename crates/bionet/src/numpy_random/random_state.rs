//! numpy's legacy `np.random.RandomState` API on top of [`Mt19937`], reproducing numpy's
//! algorithms draw for draw (numpy `mtrand.pyx`, `_bounded_integers.pyx.in`,
//! `distributions.c`): `random_sample`, `randint` (masked rejection sampling, which legacy
//! `RandomState` always uses), `uniform`, `permutation` and `choice`.

use super::mt19937::Mt19937;
use super::reductions::{cumsum, kahan_sum, searchsorted_right};
use crate::Error;

/// A legacy numpy random stream. `RandomState::new(n)` equals `np.random.RandomState(n)` and
/// `np.random.seed(n)` for a Python integer `n`.
#[derive(Debug, Clone)]
pub struct RandomState {
    bits: Mt19937,
}

/// Smallest all-ones mask covering `max` (numpy's `gen_mask`).
fn mask_for(max: u64) -> u64 {
    let mut mask = max;
    for shift in [1, 2, 4, 8, 16, 32] {
        mask |= mask >> shift;
    }
    mask
}

impl RandomState {
    /// Seeds from an integer, as numpy does for a Python `int` (or 0-d integer array): the
    /// linear `init_genrand` seeding, not `init_by_array`. numpy rejects seeds outside
    /// [0, 2³²−1], and so does this.
    pub fn new(seed: u64) -> Result<Self, Error> {
        let seed = u32::try_from(seed).map_err(|_| {
            Error::InvalidSeed(format!("seed {seed} is not between 0 and 2**32 - 1"))
        })?;
        Ok(RandomState {
            bits: Mt19937::from_seed(seed),
        })
    }

    /// Seeds from a sequence of integers (`RandomState([a, b, …])`): `init_by_array`.
    pub fn from_array(seed: &[u64]) -> Result<Self, Error> {
        let key = seed
            .iter()
            .map(|&s| {
                u32::try_from(s).map_err(|_| {
                    Error::InvalidSeed(format!("seed {s} is not between 0 and 2**32 - 1"))
                })
            })
            .collect::<Result<Vec<u32>, Error>>()?;
        Ok(RandomState {
            bits: Mt19937::from_key(&key)?,
        })
    }

    /// The underlying bit generator.
    pub fn bit_generator(&mut self) -> &mut Mt19937 {
        &mut self.bits
    }

    /// `random_sample()`: one double in [0, 1).
    pub fn random_sample(&mut self) -> f64 {
        self.bits.next_f64()
    }

    /// `random_sample(n)`: `n` doubles, drawn in order.
    pub fn random_samples(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.bits.next_f64()).collect()
    }

    /// `uniform(low, high)`: $low + (high - low)\,u$ with `u = random_sample()`.
    pub fn uniform(&mut self, low: f64, high: f64) -> Result<f64, Error> {
        let range = high - low;
        if !range.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "uniform range [{low}, {high}) exceeds valid bounds"
            )));
        }
        Ok(low + range * self.bits.next_f64())
    }

    /// `randint(low, high)` for the default int64 dtype: a uniform integer in [low, high).
    ///
    /// numpy draws on the closed interval [low, low + r] with r = high − 1 − low: r = 0
    /// consumes nothing; r < 2³² − 1 takes 32-bit draws masked to the smallest covering
    /// power of two minus one, rejecting values above r; r = 2³² − 1 uses one raw 32-bit draw;
    /// wider ranges do the same with 64-bit draws (high word first).
    pub fn randint(&mut self, low: i64, high: i64) -> Result<i64, Error> {
        if low >= high {
            return Err(Error::InvalidArgument(format!(
                "randint: low >= high ({low} >= {high})"
            )));
        }
        let range = (high as i128 - 1 - low as i128) as u64;
        Ok((low as u64).wrapping_add(self.bounded(range)) as i64)
    }

    /// `randint(low, high, size=n)`; identical to `n` scalar calls (the 32-bit masked path
    /// keeps no bit buffer between values).
    pub fn randints(&mut self, low: i64, high: i64, n: usize) -> Result<Vec<i64>, Error> {
        (0..n).map(|_| self.randint(low, high)).collect()
    }

    /// A uniform integer on the closed interval [0, range] (numpy's bounded masked draw).
    fn bounded(&mut self, range: u64) -> u64 {
        if range == 0 {
            0
        } else if range < 0xFFFF_FFFF {
            let mask = mask_for(range) as u32;
            loop {
                let v = self.bits.next_u32() & mask;
                if v as u64 <= range {
                    return v as u64;
                }
            }
        } else if range == 0xFFFF_FFFF {
            self.bits.next_u32() as u64
        } else if range == u64::MAX {
            self.bits.next_u64()
        } else {
            let mask = mask_for(range);
            loop {
                let v = self.bits.next_u64() & mask;
                if v <= range {
                    return v;
                }
            }
        }
    }

    /// numpy's `random_interval(max)`: a uniform integer in [0, max] by masked rejection,
    /// as `shuffle`/`permutation` use.
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = mask_for(max);
        if max <= 0xFFFF_FFFF {
            loop {
                let v = (self.bits.next_u32() as u64) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.bits.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `permutation(n)`: `arange(n)` shuffled by Fisher–Yates from the last element down.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut out: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.interval(i as u64) as usize;
            out.swap(i, j);
        }
        out
    }

    /// `choice(n, size, replace, p)`: indices into a population of `n`.
    ///
    /// With replacement and `p`: `cdf = cumsum(p); cdf /= cdf[-1]` and each of `size`
    /// `random_sample()` values is located with `searchsorted(side='right')`. With replacement
    /// and no `p`: `randint(0, n, size)`. Without replacement and no `p`:
    /// `permutation(n)[:size]`. Without replacement with `p`: repeated rounds of `size − found`
    /// uniform draws against the cdf of `p` with already found entries zeroed, keeping new
    /// distinct indices in order of first appearance.
    ///
    /// `p` is validated as numpy does: same length as the population, no NaN, no negative
    /// entry, Kahan sum within √ε of 1.
    pub fn choice(
        &mut self,
        n: usize,
        size: usize,
        replace: bool,
        p: Option<&[f64]>,
    ) -> Result<Vec<usize>, Error> {
        if n == 0 && size != 0 {
            return Err(Error::InvalidArgument(
                "choice: population cannot be empty unless no samples are taken".into(),
            ));
        }
        if let Some(p) = p {
            validate_probabilities(n, p)?;
        }
        if replace {
            return Ok(match p {
                Some(p) => {
                    let cdf = normalised_cdf(p);
                    (0..size)
                        .map(|_| searchsorted_right(&cdf, self.random_sample()))
                        .collect()
                }
                None => (0..size)
                    .map(|_| self.randint(0, n as i64).map(|v| v as usize))
                    .collect::<Result<_, _>>()?,
            });
        }
        if size > n {
            return Err(Error::InvalidArgument(format!(
                "choice: cannot take a larger sample ({size}) than the population ({n}) when replace=False"
            )));
        }
        let Some(p) = p else {
            let mut perm = self.permutation(n);
            perm.truncate(size);
            return Ok(perm);
        };
        if p.iter().filter(|&&v| v > 0.0).count() < size {
            return Err(Error::InvalidArgument(
                "choice: fewer non-zero entries in p than size".into(),
            ));
        }
        let mut weights = p.to_vec();
        let mut found: Vec<usize> = Vec::with_capacity(size);
        while found.len() < size {
            let draws = self.random_samples(size - found.len());
            for &f in &found {
                weights[f] = 0.0;
            }
            let cdf = normalised_cdf(&weights);
            // np.unique(new, return_index=True) then sorted indices: distinct values in order
            // of their first occurrence in this round.
            let mut round: Vec<usize> = Vec::with_capacity(draws.len());
            for u in draws {
                let idx = searchsorted_right(&cdf, u);
                if !round.contains(&idx) {
                    round.push(idx);
                }
            }
            found.extend(round);
        }
        Ok(found)
    }

    /// `choice(a, size, replace, p)` for a 1-D array `a`: `a[choice(len(a), …)]`.
    pub fn choice_from<T: Copy>(
        &mut self,
        a: &[T],
        size: usize,
        replace: bool,
        p: Option<&[f64]>,
    ) -> Result<Vec<T>, Error> {
        Ok(self
            .choice(a.len(), size, replace, p)?
            .into_iter()
            .map(|i| a[i])
            .collect())
    }
}

/// numpy's checks on `choice`'s `p`.
fn validate_probabilities(n: usize, p: &[f64]) -> Result<(), Error> {
    if p.len() != n {
        return Err(Error::InvalidArgument(format!(
            "choice: 'a' ({n}) and 'p' ({}) must have same size",
            p.len()
        )));
    }
    let total = kahan_sum(p);
    if total.is_nan() {
        return Err(Error::InvalidArgument(
            "choice: probabilities contain NaN".into(),
        ));
    }
    if p.iter().any(|&v| v < 0.0) {
        return Err(Error::InvalidArgument(
            "choice: probabilities are not non-negative".into(),
        ));
    }
    let tolerance = f64::EPSILON.sqrt();
    if (total - 1.0).abs() > tolerance {
        return Err(Error::InvalidArgument(format!(
            "choice: probabilities do not sum to 1 (sum {total})"
        )));
    }
    Ok(())
}

/// `cdf = p.cumsum(); cdf /= cdf[-1]`.
fn normalised_cdf(p: &[f64]) -> Vec<f64> {
    let mut cdf = cumsum(p);
    if let Some(&last) = cdf.last() {
        cdf.iter_mut().for_each(|c| *c /= last);
    }
    cdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_outside_u32_are_rejected() {
        assert!(RandomState::new(1 << 32).is_err());
        assert!(RandomState::from_array(&[1, 1 << 40]).is_err());
        assert!(RandomState::new(u32::MAX as u64).is_ok());
    }

    #[test]
    fn choice_rejects_bad_probabilities() {
        let mut rs = RandomState::new(1).unwrap();
        assert!(rs.choice(3, 1, true, Some(&[0.5, 0.5])).is_err());
        assert!(rs.choice(2, 1, true, Some(&[0.7, 0.7])).is_err());
        assert!(rs.choice(2, 1, true, Some(&[1.5, -0.5])).is_err());
        assert!(rs.choice(2, 1, true, Some(&[f64::NAN, 1.0])).is_err());
        assert!(rs.choice(2, 3, false, None).is_err());
        assert!(rs.choice(0, 1, true, None).is_err());
        assert_eq!(rs.choice(0, 0, true, None).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn randint_rejects_empty_interval_and_consumes_nothing_for_one_value() {
        let mut a = RandomState::new(3).unwrap();
        let mut b = RandomState::new(3).unwrap();
        assert!(a.randint(5, 5).is_err());
        assert_eq!(a.randint(7, 8).unwrap(), 7);
        assert_eq!(a.random_sample(), b.random_sample());
    }
}
