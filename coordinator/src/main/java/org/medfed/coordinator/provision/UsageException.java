package org.medfed.coordinator.provision;

/** The command line is malformed: the user gets the message and the usage text (exit code 2). */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
