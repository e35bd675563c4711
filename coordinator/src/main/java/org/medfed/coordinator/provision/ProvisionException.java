package org.medfed.coordinator.provision;

/** The command is well formed but cannot be carried out (exit code 1); the message says why. */
final class ProvisionException extends Exception {
  private static final long serialVersionUID = 1L;

  ProvisionException(String message) {
    super(message);
  }

  ProvisionException(String message, Throwable cause) {
    super(message, cause);
  }
}
