package org.medfed.site.receipts;

/**
 * The coordinator's receipts do not prove what they claim: a bad signature, a history that does not
 * extend the one this site saw before (a fork), or an entry that is not in the log. One sentence
 * saying which.
 */
public final class ReceiptException extends Exception {
  public ReceiptException(String message) {
    super(message);
  }

  public ReceiptException(String message, Throwable cause) {
    super(message, cause);
  }
}
