/**
 * The offline auditor of the coordinator's exchange log: {@code medfed-audit verify --log DIR --ca
 * CA.pem [--json FILE]}. It reads {@code exchange.log} and {@code tree-heads.log} with its own
 * reader of the documented format (docs/exchange-log.md), checks that the log is intact, that its
 * keeper is the consortium's coordinator, that every signed tree head commits to exactly this
 * history, and that every round followed the protocol. It needs no plaintext and no network, and
 * depends on nothing but {@code proto} and {@code crypto}.
 *
 * <p>{@link org.medfed.auditor.LogAuditor} is the library entry point, {@link
 * org.medfed.auditor.AuditMain} the command line; everything else is package-private.
 */
package org.medfed.auditor;
