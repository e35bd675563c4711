package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteRevoked;

/** A SiteRevoked decision (issue #6) is consortium-wide: it belongs to no study. */
class SiteRevokedCheckTest {
  private final TestLogs.Consortium consortium = new TestLogs.Consortium();

  private LogEntry revoked(String study, SiteRevoked.Builder revocation) {
    return LogEntry.newBuilder()
        .setTimeUnixMillis(consortium.start.toEpochMilli() + 1)
        .setStudyId(study)
        .setDecision(CoordinatorDecision.newBuilder().setSiteRevoked(revocation))
        .build();
  }

  private static SiteRevoked.Builder valid() {
    return SiteRevoked.newBuilder()
        .setSite("cleveland")
        .setCertificateSerial("3f9a0c")
        .setReason("key compromised")
        .setRevokedAtUnixMillis(1_700_000_000_000L);
  }

  @Test
  void revocationOutsideAnyStudyPasses() {
    AuditReport report = consortium.audit(List.of(consortium.logOpened(), revoked("", valid())));

    assertEquals(CheckStatus.PASSED, report.check("protocol").orElseThrow().status());
  }

  @Test
  void revocationWithoutAReasonOrSerialFails() {
    CheckResult result =
        consortium
            .audit(
                List.of(
                    consortium.logOpened(),
                    revoked("", valid().setReason(" ")),
                    revoked("", valid().setCertificateSerial("not hex"))))
            .check("protocol")
            .orElseThrow();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(2, result.failures().size(), result.failures().toString());
    assertTrue(result.failures().getFirst().message().contains("must name the site"));
  }

  @Test
  void revocationInsideAStudyFails() {
    CheckResult result =
        consortium
            .audit(List.of(consortium.logOpened(), revoked("heart", valid())))
            .check("protocol")
            .orElseThrow();

    assertEquals(CheckStatus.FAILED, result.status());
    assertTrue(
        result.failures().getFirst().message().contains("must be outside any study"),
        result.failures().toString());
  }
}
