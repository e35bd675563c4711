package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.proto.v1.LogEntry;

/**
 * The protocol and signature checks start from what the first entry claims while the identity check
 * verifies it: the claim must name the same keeper and time as the verified result, whatever is
 * wrong with the entry.
 */
class IdentityClaimTest {
  private final List<byte[]> payloads =
      TestLogs.payloads(TestLogs.read(TestLogs.fixture().resolve("exchange.log")));
  private final LogEntry opening = TestLogs.parseEntry(payloads.getFirst());

  private static void assertClaimMatchesCheck(Optional<AuditedEntry> first) {
    IdentityCheck.Claim claim = IdentityCheck.Claim.of(first);
    IdentityCheck.Result checked = IdentityCheck.run(first, TestLogs.fixtureCa());

    assertEquals(checked.coordinatorName(), claim.coordinatorName());
    assertEquals(checked.openedAt(), claim.openedAt());
  }

  private static Optional<AuditedEntry> first(LogEntry entry) {
    return Optional.of(new AuditedEntry(0, 8, entry));
  }

  @Test
  void claimOfTheDemoLogNamesItsCoordinator() {
    assertClaimMatchesCheck(first(opening));
    assertFalse(IdentityCheck.Claim.of(first(opening)).coordinatorName().isEmpty());
  }

  @Test
  void claimWithoutAReadableFirstEntryNamesNobody() {
    assertClaimMatchesCheck(Optional.empty());
    assertEquals(Instant.EPOCH, IdentityCheck.Claim.of(Optional.empty()).openedAt());
  }

  @Test
  void claimOfAFirstEntryThatDoesNotOpenTheLogNamesNobody() {
    assertClaimMatchesCheck(first(TestLogs.parseEntry(payloads.get(1))));
  }

  @Test
  void claimOfACertificateThatIsNotX509NamesNobody() {
    assertClaimMatchesCheck(first(withCertificate(ByteString.copyFromUtf8("not DER"))));
  }

  @Test
  void claimOfACertificateThatNamesNoPartyKeepsTheTime() throws CertificateEncodingException {
    // The consortium CA's own certificate names no MedFed party.
    LogEntry entry = withCertificate(ByteString.copyFrom(TestLogs.fixtureCa().getEncoded()));

    assertClaimMatchesCheck(first(entry));
    assertEquals(
        Instant.ofEpochMilli(entry.getTimeUnixMillis()),
        IdentityCheck.Claim.of(first(entry)).openedAt());
  }

  private LogEntry withCertificate(ByteString certificate) {
    LogEntry.Builder entry = opening.toBuilder();
    entry.getDecisionBuilder().getLogOpenedBuilder().setCoordinatorCertificate(certificate);
    return entry.build();
  }
}
