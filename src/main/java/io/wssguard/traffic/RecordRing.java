package io.wssguard.traffic;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bounded queue between the IO threads that see traffic and the one thread that writes it: a
 * preallocated ring of fixed-size primitive slots (Vyukov's bounded queue, many producers, one
 * consumer). Offering copies four longs and at most one reference into a slot and publishes it with
 * one release write: no lock, no allocation, and a full ring answers false at once, so a slow disk
 * costs records, never relay time.
 *
 * <p>Chosen over a pool of record objects handed through a queue because the slots are the pool: a
 * frame record is four numbers, and a handshake (rare, already allocating) rides in the reference.
 */
final class RecordRing {
  private final int mask;
  private final AtomicLongArray sequence;
  private final long[] fields;
  private final Object[] refs;
  private final AtomicLong tail = new AtomicLong();
  private long head;

  /** {@code capacity} is rounded up to a power of two. */
  RecordRing(int capacity) {
    int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    mask = size - 1;
    sequence = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      sequence.set(i, i);
    }
    fields = new long[size * 4];
    refs = new Object[size];
  }

  int capacity() {
    return mask + 1;
  }

  /** Adds a record; false when the ring is full. Any thread. */
  boolean offer(long a, long b, long c, long d, Object ref) {
    long pos = tail.get();
    int index;
    while (true) {
      index = (int) (pos & mask);
      long diff = sequence.get(index) - pos;
      if (diff == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          break;
        }
        pos = tail.get();
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail.get();
      }
    }
    int f = index * 4;
    fields[f] = a;
    fields[f + 1] = b;
    fields[f + 2] = c;
    fields[f + 3] = d;
    refs[index] = ref;
    sequence.lazySet(index, pos + 1);
    return true;
  }

  /** What the consumer takes from a slot. */
  interface Consumer {
    void accept(long a, long b, long c, long d, Object ref);
  }

  /** Hands the oldest record to {@code consumer}; false when there is none. The consumer only. */
  boolean poll(Consumer consumer) {
    int index = (int) (head & mask);
    if (sequence.get(index) != head + 1) {
      return false;
    }
    int f = index * 4;
    Object ref = refs[index];
    refs[index] = null;
    long a = fields[f];
    long b = fields[f + 1];
    long c = fields[f + 2];
    long d = fields[f + 3];
    sequence.lazySet(index, head + mask + 1);
    head++;
    consumer.accept(a, b, c, d, ref);
    return true;
  }
}
