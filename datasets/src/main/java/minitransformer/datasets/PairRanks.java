package minitransformer.datasets;

import java.util.Arrays;

/** (left, right) -> merge rank, open addressing on a long key; -1 when absent. */
final class PairRanks {
  private final long[] keys;
  private final int[] values;
  private final int mask;

  PairRanks(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected * 2) * 2 - 1);
    keys = new long[capacity];
    values = new int[capacity];
    Arrays.fill(values, -1);
    mask = capacity - 1;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }

  void put(int left, int right, int rank) {
    long key = key(left, right);
    int i = slot(key);
    while (values[i] >= 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = rank;
  }

  int rank(int left, int right) {
    long key = key(left, right);
    for (int i = slot(key); values[i] >= 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return values[i];
      }
    }
    return -1;
  }
}
