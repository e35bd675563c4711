package org.medfed.coordinator.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import org.medfed.coordinator.CoordinatorNode;

/**
 * Liveness for orchestrators (container HEALTHCHECK, Kubernetes probes): answers only once the node
 * has started, i.e. its study file, certificates and exchange log were all accepted.
 */
@Controller("/health")
final class HealthController {
  private final CoordinatorNode node;

  HealthController(CoordinatorNode node) {
    this.node = node;
  }

  record Health(String status, String study, String studyStatus, long exchangeLogEntries) {}

  @Get
  Health health() {
    var view = node.engine().view();
    return new Health(
        "up",
        view.study().id(),
        view.checkpoint().status().name().toLowerCase(java.util.Locale.ROOT),
        node.exchangeLog().size());
  }
}
