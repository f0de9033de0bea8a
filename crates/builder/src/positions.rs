//! Position generators for `add_nodes`, reproducible from a seed: uniform in an axis-aligned
//! box, uniform in a vertical cylinder (BMTK's `positions_columinar`), or on a regular grid.

use crate::rng::Stream;

/// `n` points uniform in the box $[\min, \max)$ (per axis).
pub fn random_box(n: usize, min: [f64; 3], max: [f64; 3], seed: u64) -> Vec<[f64; 3]> {
    let s = Stream::new(seed, 0x6278_6f78);
    (0..n as u64)
        .map(|i| {
            std::array::from_fn(|axis| {
                min[axis] + (max[axis] - min[axis]) * s.uniform(i, axis as u64)
            })
        })
        .collect()
}

/// `n` points uniform in a vertical cylinder (axis along y, like BMTK's
/// `positions_columinar`): $r = R\sqrt{u_1}$, $\theta = 2\pi u_2$, $y \in [y_0, y_0 + h)$,
/// centred on `center` in x and z.
pub fn random_column(
    n: usize,
    center: [f64; 3],
    radius: f64,
    height: f64,
    seed: u64,
) -> Vec<[f64; 3]> {
    let s = Stream::new(seed, 0x636f_6c75_6d6e);
    (0..n as u64)
        .map(|i| {
            let r = radius * s.uniform(i, 0).sqrt();
            let theta = 2.0 * std::f64::consts::PI * s.uniform(i, 1);
            [
                center[0] + r * theta.cos(),
                center[1] + height * s.uniform(i, 2),
                center[2] + r * theta.sin(),
            ]
        })
        .collect()
}

/// `n` points on a grid of `shape` cells spaced `spacing` apart starting at `origin`, filled
/// x fastest; `n` must not exceed the number of grid points (extra nodes would be missing).
pub fn grid(
    n: usize,
    origin: [f64; 3],
    shape: [usize; 3],
    spacing: [f64; 3],
) -> Option<Vec<[f64; 3]>> {
    let total = shape.iter().product::<usize>();
    if n > total {
        return None;
    }
    Some(
        (0..n)
            .map(|i| {
                let ix = i % shape[0];
                let iy = (i / shape[0]) % shape[1];
                let iz = i / (shape[0] * shape[1]);
                [
                    origin[0] + ix as f64 * spacing[0],
                    origin[1] + iy as f64 * spacing[1],
                    origin[2] + iz as f64 * spacing[2],
                ]
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_points_are_inside_and_reproducible() {
        let a = random_box(500, [0.0, -10.0, 5.0], [100.0, 10.0, 6.0], 3);
        assert_eq!(a, random_box(500, [0.0, -10.0, 5.0], [100.0, 10.0, 6.0], 3));
        assert_ne!(a, random_box(500, [0.0, -10.0, 5.0], [100.0, 10.0, 6.0], 4));
        for p in &a {
            assert!(
                (0.0..100.0).contains(&p[0])
                    && (-10.0..10.0).contains(&p[1])
                    && (5.0..6.0).contains(&p[2])
            );
        }
    }

    #[test]
    fn column_points_are_inside_the_cylinder() {
        for p in random_column(1000, [10.0, 0.0, -5.0], 50.0, 200.0, 1) {
            let r = ((p[0] - 10.0).powi(2) + (p[2] + 5.0).powi(2)).sqrt();
            assert!(r <= 50.0 + 1e-9 && (0.0..200.0).contains(&p[1]));
        }
    }

    #[test]
    fn grid_fills_x_first() {
        let g = grid(5, [0.0; 3], [2, 2, 2], [1.0, 10.0, 100.0]).unwrap();
        assert_eq!(g[1], [1.0, 0.0, 0.0]);
        assert_eq!(g[2], [0.0, 10.0, 0.0]);
        assert_eq!(g[4], [0.0, 0.0, 100.0]);
        assert!(grid(9, [0.0; 3], [2, 2, 2], [1.0; 3]).is_none());
    }
}
