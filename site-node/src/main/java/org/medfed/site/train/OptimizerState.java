package org.medfed.site.train;

/** The optimiser's state across the local steps of one round: SGD, or Adam's moments. */
final class OptimizerState {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double ADAM_EPS = 1e-8;

  private final LocalOptimizer optimizer;
  private final double learningRate;
  private final double[] m;
  private final double[] v;
  private int step;

  OptimizerState(TrainingPlan plan, int parameters) {
    this.optimizer = plan.optimizer();
    this.learningRate = plan.learningRate();
    this.m = new double[parameters];
    this.v = new double[parameters];
  }

  /** Moves {@code w} one step against {@code gradient}. */
  void step(double[] w, double[] gradient) {
    step++;
    int p = w.length;
    switch (optimizer) {
      case SGD -> {
        for (int j = 0; j < p; j++) {
          w[j] -= learningRate * gradient[j];
        }
      }
      case ADAM -> {
        double correction1 = 1.0 - Math.pow(BETA1, step);
        double correction2 = 1.0 - Math.pow(BETA2, step);
        double stepSize = learningRate / correction1;
        for (int j = 0; j < p; j++) {
          m[j] = BETA1 * m[j] + (1.0 - BETA1) * gradient[j];
          v[j] = BETA2 * v[j] + (1.0 - BETA2) * gradient[j] * gradient[j];
          // Same placement of eps as torch.optim.Adam: after the bias-corrected sqrt.
          double denominator = Math.sqrt(v[j]) / Math.sqrt(correction2) + ADAM_EPS;
          w[j] -= stepSize * m[j] / denominator;
        }
      }
    }
  }
}
