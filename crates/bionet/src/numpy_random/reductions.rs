//! numpy's floating-point reductions in numpy's own operation order, so that sums and
//! cumulative sums round exactly as they do in BMTK: `np.sum` (pairwise), `np.cumsum`
//! (sequential), `kahan_sum` (used by `choice` to validate `p`) and
//! `searchsorted(side='right')`.

/// Block size of numpy's pairwise summation (`PW_BLOCKSIZE`).
const PAIRWISE_BLOCK: usize = 128;
/// `np.sum` of a contiguous 1-D float64 array: the identity 0.0 plus one pairwise sum over
/// the whole array (such an array needs no buffering, so numpy does not split it into
/// 8192-element chunks — checked against numpy for 8193 and 20000 elements).
pub fn numpy_sum(values: &[f64]) -> f64 {
    0.0 + pairwise_sum(values)
}

/// numpy's `pairwise_sum_DOUBLE`: below 8 elements a plain loop; up to 128 eight
/// interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the
/// remainder; above that, split at a multiple of 8 near the middle and recurse.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= PAIRWISE_BLOCK {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        let mut i = 8;
        while i < full {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[full..] {
            res += v;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half]) + pairwise_sum(&a[half..])
    }
}

/// Compensated sum as numpy's `mtrand.kahan_sum` (starts from the first element).
pub fn kahan_sum(a: &[f64]) -> f64 {
    let Some((&first, rest)) = a.split_first() else {
        return 0.0;
    };
    let mut sum = first;
    let mut c = 0.0;
    for &v in rest {
        let y = v - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

/// `np.cumsum`: a running sum, element by element.
pub fn cumsum(a: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    a.iter()
        .map(|&v| {
            acc += v;
            acc
        })
        .collect()
}

/// `sorted.searchsorted(value, side='right')`: the first index whose element is greater than
/// `value` (numpy's binary search tests `value < element`, which this mirrors for NaNs too).
pub fn searchsorted_right(sorted: &[f64], value: f64) -> usize {
    // `value < element` is false for NaNs, which numpy's search treats as "go right".
    sorted.partition_point(|&element| value.partial_cmp(&element) != Some(std::cmp::Ordering::Less))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_differs_from_sequential_where_numpy_does() {
        // 1e16 + 1 + ... : sequential summation loses every 1.0, the 8-way split keeps most.
        let mut v = vec![1.0; 16];
        v[0] = 1e16;
        let sequential: f64 = v.iter().fold(0.0, |a, b| a + b);
        assert_eq!(sequential, 1e16);
        // Eight partial sums: r0 = 1e16 (its +1 rounds away), r1..r7 = 2.
        assert_eq!(pairwise_sum(&v), 1e16 + 14.0);
    }

    #[test]
    fn searchsorted_right_skips_equal_elements() {
        let cdf = [0.25, 0.25, 0.5, 1.0];
        assert_eq!(searchsorted_right(&cdf, 0.0), 0);
        assert_eq!(searchsorted_right(&cdf, 0.25), 2);
        assert_eq!(searchsorted_right(&cdf, 0.7), 3);
        assert_eq!(searchsorted_right(&cdf, 1.0), 4);
    }

    #[test]
    fn kahan_recovers_small_terms() {
        let v = [1.0, 1e-16, 1e-16, 1e-16, 1e-16];
        assert!(kahan_sum(&v) > 1.0);
        assert_eq!(kahan_sum(&[]), 0.0);
    }
}
