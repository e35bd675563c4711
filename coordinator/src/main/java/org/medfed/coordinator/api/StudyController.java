package org.medfed.coordinator.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import java.util.List;
import org.medfed.coordinator.CoordinatorNode;
import org.medfed.coordinator.round.StudyView;

/**
 * Read-only REST API for the consortium: studies, their rounds and per-round metrics. Only
 * aggregate values exist on the coordinator, so none of this can expose a patient-level value.
 */
@Controller("/api/studies")
final class StudyController {
  private final CoordinatorNode node;

  StudyController(CoordinatorNode node) {
    this.node = node;
  }

  @Get
  List<StudyJson.Summary> studies() {
    return List.of(StudyJson.summary(node.engine().view()));
  }

  @Get("/{id}")
  HttpResponse<?> study(@PathVariable String id) {
    StudyView view = node.engine().view();
    if (!view.study().id().equals(id)) {
      return notFound(id);
    }
    return HttpResponse.ok(StudyJson.detail(view));
  }

  @Get("/{id}/rounds")
  HttpResponse<?> rounds(@PathVariable String id) {
    StudyView view = node.engine().view();
    if (!view.study().id().equals(id)) {
      return notFound(id);
    }
    return HttpResponse.ok(StudyJson.rounds(view));
  }

  private static HttpResponse<?> notFound(String id) {
    return HttpResponse.notFound(new StudyJson.Error("no study with id '" + id + "'"));
  }
}
