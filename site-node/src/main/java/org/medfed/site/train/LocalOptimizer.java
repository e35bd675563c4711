package org.medfed.site.train;

/** The optimiser a site uses for its local steps. */
public enum LocalOptimizer {
  /** Plain mini-batch gradient descent, as torch.optim.SGD without momentum. */
  SGD,
  /** Adam with beta1 0.9, beta2 0.999, eps 1e-8 and bias correction, as torch.optim.Adam. */
  ADAM
}
