package org.medfed.coordinator.round;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * One site's pending tasks. Sites dial out and long-poll, so the coordinator can never push: it
 * leaves tasks here and wakes the waiting poll.
 */
final class SiteMailbox {
  private final Deque<SiteTask> pending = new ArrayDeque<>();

  synchronized void post(SiteTask task) {
    if (pending.contains(task)) {
      return;
    }
    if (task.supersededByPhaseTasks()) {
      // Only one phase is open at a time; a stale train or evaluate task would waste the site's
      // time and be refused anyway.
      pending.removeIf(SiteTask::supersededByPhaseTasks);
    }
    // A (re-)invitation goes first: a site that lost its state must accept again before it can
    // act on a phase task that was already waiting.
    if (task instanceof SiteTask.Invite) {
      pending.addFirst(task);
    } else {
      pending.addLast(task);
    }
    notifyAll();
  }

  /** Waits up to maxWait for a task. */
  synchronized Optional<SiteTask> take(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (pending.isEmpty()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return Optional.empty();
      }
      wait(Math.max(1, remaining / 1_000_000));
    }
    return Optional.of(pending.removeFirst());
  }
}
