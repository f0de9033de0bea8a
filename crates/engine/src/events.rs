//! Discrete events: NetCons, spike sources and NEURON's event queue semantics.
//!
//! Delivery follows `netcvode.cpp`: at the start of a step threshold crossings are stamped at
//! t + 1e-10 and every event with time ≤ t + dt/2 is delivered; after the state update, events
//! with time ≤ t are delivered. Each delivery runs NET_RECEIVE with `t` = the event's time.
//! Events with equal times are delivered in the order they were queued.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use mech::EventSink;

/// What emits spikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpikeSource {
    /// A threshold detector on a cell (index into the builder's detectors).
    Detector(usize),
    /// An artificial cell (index into the builder's artificial cells) calling `net_event`.
    Artificial(usize),
    /// A point process calling `net_event` (cell, index into the cell's point processes).
    PointProcess { cell: usize, index: usize },
}

/// What receives a NetCon's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A point process of a cell (index into `CellDescription::point_processes`).
    PointProcess { cell: usize, index: usize },
    /// An artificial cell.
    Artificial(usize),
}

/// A NetCon as the caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NetConSpec {
    pub source: SpikeSource,
    /// `None` records the source's spikes without delivering anything.
    pub target: Option<Target>,
    /// Delay in ms.
    pub delay: f64,
    /// Weight vector: slot 0 is the weight; further slots hold NET_RECEIVE's extra arguments.
    pub weights: Vec<f64>,
}

/// What an event does when delivered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Payload {
    /// A NetCon delivers to its target with flag 0.
    NetCon(u32),
    /// `net_send` back to an instance; `netcon` is the NetCon whose delivery sent it (its
    /// weight vector is passed again), if any.
    SelfEvent {
        set: u32,
        instance: u32,
        flag: f64,
        netcon: Option<u32>,
    },
}

/// One queued event. `seq` orders equal times inside the tree (NEURON's `spenq` puts an item
/// after every item with the same time); `id` names the event for `net_move`.
#[derive(Debug, Clone, Copy)]
struct Entry {
    time: f64,
    seq: u64,
    id: u64,
    payload: Payload,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.time
            .total_cmp(&other.time)
            .then(self.seq.cmp(&other.seq))
    }
}

/// Where the movable (last `net_send`) event of an instance sits.
#[derive(Debug, Clone, Copy)]
struct Movable {
    id: u64,
    /// `None`: in the `least` slot; `Some(seq)`: in the tree under `seq`.
    seq: Option<u64>,
    payload: Payload,
}

/// NEURON's `TQueue` (`tqueue.cpp`): the earliest event sits in a separate `least` slot and
/// the rest in a splay tree where equal times keep insertion order. An insertion earlier than
/// `least` demotes the old least into the tree *behind* the events of equal time already
/// there, so equal-time order is FIFO except after such demotions; this queue reproduces
/// that order exactly (a binary heap keyed by (time, tree-insertion sequence), with lazy
/// deletion for `net_move`).
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    least: Option<Entry>,
    tree: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    next_id: u64,
    /// Tree sequence numbers of entries removed by `net_move`.
    cancelled: HashSet<u64>,
    /// The last self-event sent by each (set, instance): what `net_move` moves.
    movable: HashMap<(u32, u32), Movable>,
}

impl EventQueue {
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            tree: BinaryHeap::with_capacity(n),
            cancelled: HashSet::with_capacity(64),
            movable: HashMap::with_capacity(n),
            ..Default::default()
        }
    }

    pub fn clear(&mut self) {
        self.least = None;
        self.tree.clear();
        self.cancelled.clear();
        self.movable.clear();
        self.seq = 0;
        self.next_id = 0;
    }

    /// `spenq`: into the tree behind every entry of equal time.
    fn enqueue_tree(&mut self, mut e: Entry) {
        e.seq = self.seq;
        self.seq += 1;
        if let Payload::SelfEvent { set, instance, .. } = e.payload {
            if let Some(m) = self.movable.get_mut(&(set, instance)) {
                if m.id == e.id {
                    m.seq = Some(e.seq);
                }
            }
        }
        self.tree.push(Reverse(e));
    }

    /// The tree's earliest live entry, removed.
    fn dequeue_tree(&mut self) -> Option<Entry> {
        while let Some(Reverse(e)) = self.tree.pop() {
            if !self.cancelled.remove(&e.seq) {
                return Some(e);
            }
        }
        None
    }

    /// The tree's earliest live entry.
    fn tree_head(&mut self) -> Option<Entry> {
        while let Some(Reverse(e)) = self.tree.peek() {
            if self.cancelled.remove(&e.seq) {
                self.tree.pop();
            } else {
                return Some(*e);
            }
        }
        None
    }

    /// Notes that the entry now in the `least` slot left the tree.
    fn mark_least(&mut self) {
        if let Some(l) = &self.least {
            if let Payload::SelfEvent { set, instance, .. } = l.payload {
                if let Some(m) = self.movable.get_mut(&(set, instance)) {
                    if m.id == l.id {
                        m.seq = None;
                    }
                }
            }
        }
    }

    /// `TQueue::insert`; returns the event's id.
    pub fn push(&mut self, time: f64, payload: Payload) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let e = Entry {
            time,
            seq: 0,
            id,
            payload,
        };
        match self.least {
            Some(least) if time < least.time => {
                self.enqueue_tree(least);
                self.least = Some(e);
            }
            None => self.least = Some(e),
            Some(_) => self.enqueue_tree(e),
        }
        id
    }

    /// `TQueue::atomic_dq`: removes and returns the least event if its time is ≤ `til`.
    pub fn pop_until(&mut self, til: f64) -> Option<(f64, Payload)> {
        let e = self.least.filter(|e| e.time <= til)?;
        self.least = self.dequeue_tree();
        self.mark_least();
        if let Payload::SelfEvent { set, instance, .. } = e.payload {
            if self
                .movable
                .get(&(set, instance))
                .is_some_and(|m| m.id == e.id)
            {
                self.movable.remove(&(set, instance));
            }
        }
        Some((e.time, e.payload))
    }

    /// `net_send`: queues a self-event and makes it the instance's movable event.
    pub fn send_self(&mut self, time: f64, payload: Payload, set: u32, instance: u32) {
        let id = self.next_id;
        self.movable.insert(
            (set, instance),
            Movable {
                id,
                seq: None,
                payload,
            },
        );
        // `push` records the tree position, if it goes there.
        self.push(time, payload);
    }

    /// `net_move` (`TQueue::move`): moves the instance's pending self-event to `time`.
    /// Returns false when the instance has no pending self-event.
    pub fn move_self(&mut self, set: u32, instance: u32, time: f64) -> bool {
        let Some(m) = self.movable.get(&(set, instance)).copied() else {
            return false;
        };
        let moved = |time| Entry {
            time,
            seq: 0,
            id: m.id,
            payload: m.payload,
        };
        match m.seq {
            None => {
                // move_least: stays least unless the tree now has an earlier event.
                if let Some(l) = &mut self.least {
                    l.time = time;
                }
                if let Some(head) = self.tree_head() {
                    if time > head.time {
                        self.least = self.dequeue_tree();
                        self.mark_least();
                        self.enqueue_tree(moved(time));
                    }
                }
            }
            Some(seq) => {
                self.cancelled.insert(seq);
                let least_time = self.least.map_or(f64::INFINITY, |l| l.time);
                if time < least_time {
                    if let Some(old) = self.least.take() {
                        self.enqueue_tree(old);
                    }
                    self.least = Some(moved(time));
                    if let Some(mm) = self.movable.get_mut(&(set, instance)) {
                        mm.seq = None;
                    }
                } else {
                    self.enqueue_tree(moved(time));
                }
            }
        }
        true
    }
}

/// One partition's NetCon wiring, used during delivery. NetCons are the partition's own
/// (those whose target lives here); sources are the partition's detectors, artificial cells and
/// point processes, each known by its global source id.
#[derive(Debug, Default)]
pub(crate) struct Wiring {
    /// Per NetCon: target (set, instance).
    pub target: Vec<Option<(u32, u32)>>,
    pub delay: Vec<f64>,
    /// Per local spike source: the NetCons its spikes reach at once (delay shorter than the
    /// exchange interval, so source and target share the partition), in creation order.
    pub fanout: Vec<Vec<u32>>,
    /// Global source id of every local source.
    pub sources: Vec<u32>,
    /// Local spike source of a (set, instance) that calls `net_event`.
    pub source_of_instance: HashMap<(u32, u32), u32>,
}

impl Wiring {
    /// `PreSyn::send`: records the spike (for the exchange) and queues the immediate NetCons.
    pub fn send(
        &self,
        source: u32,
        time: f64,
        queue: &mut EventQueue,
        spikes: &mut Vec<(u32, f64)>,
    ) {
        spikes.push((self.sources[source as usize], time));
        for &nc in &self.fanout[source as usize] {
            if self.target[nc as usize].is_some() {
                queue.push(time + self.delay[nc as usize], Payload::NetCon(nc));
            }
        }
    }
}

/// The [`EventSink`] handed to kernels of one set: it knows which set is calling and which
/// NetCon (if any) is being delivered.
pub(crate) struct SetEvents<'a> {
    pub set: u32,
    pub netcon: Option<u32>,
    pub queue: &'a mut EventQueue,
    pub wiring: &'a Wiring,
    pub spikes: &'a mut Vec<(u32, f64)>,
}

impl EventSink for SetEvents<'_> {
    fn net_send(&mut self, _mechanism: usize, instance: usize, time: f64, flag: f64) {
        let payload = Payload::SelfEvent {
            set: self.set,
            instance: instance as u32,
            flag,
            netcon: self.netcon,
        };
        self.queue
            .send_self(time, payload, self.set, instance as u32);
    }

    fn net_event(&mut self, _mechanism: usize, instance: usize, time: f64) {
        if let Some(&src) = self
            .wiring
            .source_of_instance
            .get(&(self.set, instance as u32))
        {
            self.wiring.send(src, time, self.queue, self.spikes);
        }
    }

    fn net_move(&mut self, _mechanism: usize, instance: usize, time: f64) {
        self.queue.move_self(self.set, instance as u32, time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_orders_by_time_then_insertion() {
        let mut q = EventQueue::with_capacity(4);
        q.push(2.0, Payload::NetCon(0));
        q.push(1.0, Payload::NetCon(1));
        q.push(1.0, Payload::NetCon(2));
        assert_eq!(q.pop_until(0.5), None);
        assert_eq!(q.pop_until(1.0), Some((1.0, Payload::NetCon(1))));
        assert_eq!(q.pop_until(1.0), Some((1.0, Payload::NetCon(2))));
        assert_eq!(q.pop_until(1.5), None);
        assert_eq!(q.pop_until(2.0), Some((2.0, Payload::NetCon(0))));
    }

    #[test]
    fn net_move_replaces_the_pending_self_event() {
        let mut q = EventQueue::with_capacity(4);
        let wiring = Wiring::default();
        let mut spikes = Vec::new();
        let mut sink = SetEvents {
            set: 0,
            netcon: None,
            queue: &mut q,
            wiring: &wiring,
            spikes: &mut spikes,
        };
        sink.net_send(0, 3, 5.0, 1.0);
        sink.net_move(0, 3, 2.0);
        let (t, p) = q.pop_until(10.0).unwrap();
        assert_eq!(t, 2.0);
        assert!(matches!(p, Payload::SelfEvent { instance: 3, flag, .. } if flag == 1.0));
        assert_eq!(q.pop_until(10.0), None);
    }

    #[test]
    fn earlier_insertion_demotes_least_behind_equal_times() {
        // NEURON's TQueue: A(5) sits in `least`, B(5) goes to the tree; C(3) takes `least`
        // and A re-enters the tree behind B, so equal-time order becomes B, A.
        let mut q = EventQueue::with_capacity(4);
        q.push(5.0, Payload::NetCon(0));
        q.push(5.0, Payload::NetCon(1));
        q.push(3.0, Payload::NetCon(2));
        let order: Vec<_> = std::iter::from_fn(|| q.pop_until(10.0)).collect();
        assert_eq!(
            order,
            vec![
                (3.0, Payload::NetCon(2)),
                (5.0, Payload::NetCon(1)),
                (5.0, Payload::NetCon(0))
            ]
        );
    }

    #[test]
    fn net_move_of_the_least_event_and_after_delivery() {
        let mut q = EventQueue::with_capacity(4);
        let self_event = |flag| Payload::SelfEvent {
            set: 0,
            instance: 1,
            flag,
            netcon: None,
        };
        q.send_self(1.0, self_event(1.0), 0, 1);
        q.push(2.0, Payload::NetCon(7));
        // Moving the least past the tree's head hands `least` to the NetCon event.
        assert!(q.move_self(0, 1, 4.0));
        assert_eq!(q.pop_until(10.0), Some((2.0, Payload::NetCon(7))));
        assert_eq!(q.pop_until(10.0), Some((4.0, self_event(1.0))));
        // Delivered: nothing left to move.
        assert!(!q.move_self(0, 1, 6.0));
        assert_eq!(q.pop_until(10.0), None);
    }
}
