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

#[derive(Debug, Clone, Copy)]
struct Entry {
    time: f64,
    seq: u64,
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

/// Min-queue of events by (time, insertion order), with `net_move` support.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    /// Sequence numbers of events removed by `net_move`.
    cancelled: HashSet<u64>,
    /// The last self-event sent by each (set, instance): what `net_move` moves.
    movable: HashMap<(u32, u32), (u64, f64, Payload)>,
}

impl EventQueue {
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            ..Default::default()
        }
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.cancelled.clear();
        self.movable.clear();
        self.seq = 0;
    }

    pub fn push(&mut self, time: f64, payload: Payload) -> u64 {
        let seq = self.seq;
        self.seq += 1;
        self.heap.push(Reverse(Entry { time, seq, payload }));
        seq
    }

    /// Removes and returns the earliest event with time ≤ `til`.
    pub fn pop_until(&mut self, til: f64) -> Option<(f64, Payload)> {
        while let Some(Reverse(top)) = self.heap.peek() {
            if top.time > til {
                return None;
            }
            let Reverse(e) = self.heap.pop()?;
            if self.cancelled.remove(&e.seq) {
                continue;
            }
            if let Payload::SelfEvent { set, instance, .. } = e.payload {
                if self
                    .movable
                    .get(&(set, instance))
                    .is_some_and(|m| m.0 == e.seq)
                {
                    self.movable.remove(&(set, instance));
                }
            }
            return Some((e.time, e.payload));
        }
        None
    }
}

/// Static NetCon wiring used during delivery.
#[derive(Debug, Default)]
pub(crate) struct Wiring {
    /// Per NetCon: target (set, instance), or None.
    pub target: Vec<Option<(u32, u32)>>,
    pub delay: Vec<f64>,
    /// Per spike source: its NetCons in creation order.
    pub fanout: Vec<Vec<u32>>,
    /// Public identity of every spike source.
    pub sources: Vec<SpikeSource>,
    /// Spike source of a (set, instance) that calls `net_event`.
    pub source_of_instance: HashMap<(u32, u32), u32>,
}

impl Wiring {
    /// `PreSyn::send`: records the spike and queues one event per NetCon.
    pub fn send(
        &self,
        source: u32,
        time: f64,
        queue: &mut EventQueue,
        spikes: &mut Vec<(SpikeSource, f64)>,
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
    pub spikes: &'a mut Vec<(SpikeSource, f64)>,
}

impl EventSink for SetEvents<'_> {
    fn net_send(&mut self, _mechanism: usize, instance: usize, time: f64, flag: f64) {
        let payload = Payload::SelfEvent {
            set: self.set,
            instance: instance as u32,
            flag,
            netcon: self.netcon,
        };
        let seq = self.queue.push(time, payload);
        self.queue
            .movable
            .insert((self.set, instance as u32), (seq, time, payload));
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
        let key = (self.set, instance as u32);
        if let Some((seq, _, payload)) = self.queue.movable.remove(&key) {
            self.queue.cancelled.insert(seq);
            let new_seq = self.queue.push(time, payload);
            self.queue.movable.insert(key, (new_seq, time, payload));
        }
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
}
