package org.medfed.coordinator.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SiteMailboxTest {
  private final Instant deadline = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void emptyMailboxAnswersNothingWhenTheWaitEnds() throws Exception {
    long start = System.nanoTime();
    assertEquals(Optional.empty(), new SiteMailbox().take(Duration.ofMillis(50)));
    assertTrue(System.nanoTime() - start >= 40_000_000L);
  }

  @Test
  void waitingPollWakesAsSoonAsATaskIsPosted() throws Exception {
    SiteMailbox mailbox = new SiteMailbox();
    SiteTask invite = new SiteTask.Invite("s");
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                Thread.sleep(50);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              mailbox.post(invite);
            });
    assertEquals(Optional.of(invite), mailbox.take(Duration.ofSeconds(10)));
  }

  @Test
  void newPhaseTaskReplacesAStaleOneButKeepsTheInvitation() throws Exception {
    SiteMailbox mailbox = new SiteMailbox();
    mailbox.post(new SiteTask.Invite("s"));
    mailbox.post(new SiteTask.Train("s", 3, 2, deadline, 7, Optional.empty()));
    SiteTask evaluate = new SiteTask.Evaluate("s", 3, 3, deadline);
    mailbox.post(evaluate);
    assertEquals(Optional.of(new SiteTask.Invite("s")), mailbox.take(Duration.ZERO));
    assertEquals(Optional.of(evaluate), mailbox.take(Duration.ZERO));
    assertEquals(Optional.empty(), mailbox.take(Duration.ZERO));
  }

  @Test
  void sameTaskPostedTwiceIsDeliveredOnce() throws Exception {
    SiteMailbox mailbox = new SiteMailbox();
    mailbox.post(new SiteTask.Invite("s"));
    mailbox.post(new SiteTask.Invite("s"));
    mailbox.take(Duration.ZERO);
    assertEquals(Optional.empty(), mailbox.take(Duration.ZERO));
  }

  @Test
  void invitationOvertakesAWaitingPhaseTaskSoARestartedSiteAcceptsFirst() throws Exception {
    SiteMailbox mailbox = new SiteMailbox();
    SiteTask train = new SiteTask.Train("s", 2, 1, deadline, 7, Optional.empty());
    mailbox.post(train);
    mailbox.post(new SiteTask.Invite("s"));
    assertEquals(Optional.of(new SiteTask.Invite("s")), mailbox.take(Duration.ZERO));
    assertEquals(Optional.of(train), mailbox.take(Duration.ZERO));
  }
}
