package org.medfed.coordinator;

/** A configuration problem that stops start-up; its message is one sentence naming the fix. */
public final class ConfigurationException extends Exception {
  public ConfigurationException(String message) {
    super(message);
  }
}
