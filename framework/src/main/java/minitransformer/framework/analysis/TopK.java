package minitransformer.framework.analysis;

/**
 * The k best of n scored ids by partial selection: a binary min-heap of at most k ids whose root is the
 * worst kept, so each offer costs O(log k) and nothing is boxed. Better means a larger score, then (for
 * equal scores) a lower id: the order of a full sort by score, descending, then by id.
 */
final class TopK {
  private final double[] scores;
  private final int[] heap;
  private int size;

  /** k best ids by scores[id]; k may be 0. */
  TopK(double[] scores, int k) {
    this.scores = scores;
    this.heap = new int[k];
  }

  void offer(int id) {
    if (size < heap.length) {
      heap[size] = id;
      up(size++);
    } else if (size > 0 && better(id, heap[0])) {
      heap[0] = id;
      down(0);
    }
  }

  /** The kept ids, best first. */
  int[] sorted() {
    int[] out = new int[size];
    int[] saved = heap.clone();
    int n = size;
    for (int i = size - 1; i >= 0; i--) { // pop the worst into the back
      out[i] = heap[0];
      heap[0] = heap[--size];
      down(0);
    }
    System.arraycopy(saved, 0, heap, 0, saved.length);
    size = n;
    return out;
  }

  /** a before b in the result. */
  private boolean better(int a, int b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  }

  private void up(int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!better(heap[parent], heap[i])) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void down(int i) {
    while (true) {
      int worst = i;
      for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
        if (better(heap[worst], heap[child])) {
          worst = child;
        }
      }
      if (worst == i) {
        return;
      }
      swap(i, worst);
      i = worst;
    }
  }

  private void swap(int i, int j) {
    int t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
  }
}
