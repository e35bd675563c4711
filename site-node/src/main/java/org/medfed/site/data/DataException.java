package org.medfed.site.data;

/**
 * A problem with a site's data or its description, reported to the hospital operator.
 *
 * <p>The message is one sentence that names the file and, where it applies, the line and column, so
 * that the operator can fix the data without reading a stack trace.
 */
public final class DataException extends Exception {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
