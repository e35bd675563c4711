package org.medfed.coordinator.study;

/**
 * A study configuration that cannot be used. The message is one sentence naming the file and the
 * offending field, fit to show an operator as is.
 */
public final class StudyConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public StudyConfigException(String message) {
    super(message);
  }

  public StudyConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
