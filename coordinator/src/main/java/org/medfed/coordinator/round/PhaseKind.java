package org.medfed.coordinator.round;

/** The phases of a round, in the order they open; the secure ones only under secure aggregation. */
enum PhaseKind {
  TRAINING,
  SHARE_KEYS,
  MASKED_INPUT,
  UNMASKING,
  EVALUATION;

  /** The name sites, logs and phase listeners see, e.g. {@code share-keys}. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static PhaseKind of(SecurePhases.Step step) {
    return switch (step) {
      case SHARE_KEYS -> SHARE_KEYS;
      case MASKED_INPUT -> MASKED_INPUT;
      case UNMASKING -> UNMASKING;
    };
  }
}
