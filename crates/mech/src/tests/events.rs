//! NET_RECEIVE and events: NetStim's self-event chain, ExpSyn's weight, native VecStim.

use super::World;
use crate::{Catalogue, Context, EventSink, IonStore};

#[derive(Default)]
struct Recorder {
    sends: Vec<(usize, f64, f64)>,
    spikes: Vec<(usize, f64)>,
}

impl EventSink for Recorder {
    fn net_send(&mut self, _: usize, instance: usize, time: f64, flag: f64) {
        self.sends.push((instance, time, flag));
    }
    fn net_event(&mut self, _: usize, instance: usize, time: f64) {
        self.spikes.push((instance, time));
    }
    fn net_move(&mut self, _: usize, _: usize, _: f64) {}
}

fn with_events<R>(
    world: &mut World,
    rec: &mut Recorder,
    t: f64,
    f: impl FnOnce(&mut Context) -> R,
) -> R {
    let mut ctx = Context {
        t,
        dt: world.dt,
        celsius: world.celsius,
        v: &world.v,
        rhs: &mut world.rhs,
        d: &mut world.d,
        area: &world.area,
        diam: &world.diam,
        ions: &mut world.ions,
        events: rec,
    };
    f(&mut ctx)
}

#[test]
fn netstim_self_events_follow_neuron() {
    let cat = Catalogue::new();
    let mut set = cat
        .instantiate("NetStim", vec![0], &IonStore::default(), 7)
        .unwrap();
    set.field_values_mut("start").unwrap()[0] = 5.0;
    set.field_values_mut("interval").unwrap()[0] = 2.0;
    set.field_values_mut("number").unwrap()[0] = 2.0;
    let mut world = World::new(1);
    let mut rec = Recorder::default();
    with_events(&mut world, &mut rec, 0.0, |ctx| set.init(ctx));
    // event = start + invl(interval) − interval·(1 − noise) = 5; net_send(event, 3).
    assert_eq!(rec.sends, vec![(0, 5.0, 3.0)]);
    let mut args = [1.0];
    with_events(&mut world, &mut rec, 5.0, |ctx| {
        set.net_receive(ctx, 0, &mut args, 3.0)
    });
    assert_eq!(rec.sends[1], (0, 5.0, 1.0));
    with_events(&mut world, &mut rec, 5.0, |ctx| {
        set.net_receive(ctx, 0, &mut args, 1.0)
    });
    assert_eq!(rec.spikes, vec![(0, 5.0)]);
    assert_eq!(rec.sends[2], (0, 7.0, 1.0));
    with_events(&mut world, &mut rec, 7.0, |ctx| {
        set.net_receive(ctx, 0, &mut args, 1.0)
    });
    assert_eq!(rec.spikes, vec![(0, 5.0), (0, 7.0)]);
    // number = 2 reached: no further self-event.
    assert_eq!(rec.sends.len(), 3);
}

#[test]
fn expsyn_weight_adds_to_g_and_decays() {
    let cat = Catalogue::new();
    let mut set = cat
        .instantiate("ExpSyn", vec![0], &IonStore::default(), 0)
        .unwrap();
    set.field_values_mut("tau").unwrap()[0] = 2.0;
    let mut world = World::new(1);
    world.run(|ctx| set.init(ctx));
    let mut args = [0.5];
    world.run(|ctx| set.net_receive(ctx, 0, &mut args, 0.0));
    assert_eq!(set.field_values("g").unwrap()[0], 0.5);
    world.run(|ctx| set.state(ctx));
    let g = set.field_values("g").unwrap()[0];
    assert!((g - 0.5 * (-0.025f64 / 2.0).exp()).abs() < 1e-15, "{g}");
    // Point-process current: i = g(v − e) nA, rhs gets −i·1e2/area.
    world.rhs[0] = 0.0;
    world.run(|ctx| set.current(ctx));
    let i = set.field_values("i").unwrap()[0];
    assert!((i - g * (-65.0)).abs() < 1e-12);
    assert!(
        (world.rhs[0] + i * 1e2 / 100.0).abs() < 1e-12,
        "{}",
        world.rhs[0]
    );
}

#[test]
fn vecstim_emits_its_times() {
    let cat = Catalogue::new();
    let mut set = cat
        .instantiate("VecStim", vec![0, 0], &IonStore::default(), 3)
        .unwrap();
    assert!(set.set_event_times(0, &[1.5, 4.0]));
    let mut world = World::new(1);
    let mut rec = Recorder::default();
    with_events(&mut world, &mut rec, 0.0, |ctx| set.init(ctx));
    assert_eq!(rec.sends, vec![(0, 1.5, 1.0)]);
    with_events(&mut world, &mut rec, 1.5, |ctx| {
        set.net_receive(ctx, 0, &mut [], 1.0)
    });
    with_events(&mut world, &mut rec, 4.0, |ctx| {
        set.net_receive(ctx, 0, &mut [], 1.0)
    });
    assert_eq!(rec.spikes, vec![(0, 1.5), (0, 4.0)]);
    assert_eq!(rec.sends.len(), 2);
    assert_eq!(set.field_values("index").unwrap()[0], -1.0);
}
