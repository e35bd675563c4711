package org.medfed.coordinator;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Arrays;
import java.util.List;
import org.medfed.coordinator.provision.ProvisionCommand;

/**
 * {@code medfed-coordinator serve --medfed.study-file=... } runs the coordinator; {@code
 * medfed-coordinator provision ...} makes the consortium's PKI and site kits.
 */
public final class CoordinatorMain {
  private CoordinatorMain() {}

  public static void main(String[] args) {
    List<String> arguments = Arrays.asList(args);
    if (!arguments.isEmpty() && arguments.getFirst().equals("provision")) {
      System.exit(
          ProvisionCommand.run(arguments.subList(1, arguments.size()), System.out, System.err));
    }
    if (arguments.isEmpty() || !arguments.getFirst().equals("serve")) {
      System.err.println(
          """
          usage: medfed-coordinator serve --medfed.study-file=FILE \\
                   --medfed.tls.certificate=FILE --medfed.tls.private-key=FILE \\
                   --medfed.tls.ca-certificate=FILE [--medfed.data-dir=DIR] \\
                   [--medfed.grpc.port=7443] [--micronaut.server.port=8080] \\
                   [--medfed.enrolment.pki-dir=DIR] [--medfed.tls.crl=FILE]
                 medfed-coordinator provision (init|add-site|enrol-token|revoke|remove-site) ...""");
      System.exit(2);
    }
    // Started by hand rather than through Micronaut.run, whose start-up error handler prints a
    // stack trace and exits: an operator should get one sentence naming the bad setting.
    ApplicationContext context;
    try {
      context =
          ApplicationContext.builder()
              .args(arguments.subList(1, arguments.size()).toArray(String[]::new))
              .mainClass(CoordinatorMain.class)
              .banner(false)
              .start();
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof ConfigurationException)) {
        cause = cause.getCause();
      }
      if (cause == null) {
        throw e;
      }
      System.err.println("medfed-coordinator: " + cause.getMessage());
      System.exit(1);
      return;
    }
    EmbeddedServer server = context.getBean(EmbeddedServer.class);
    server.start();
    // Stopping the server stops the application context, and with it the coordinator node.
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "coordinator-shutdown"));
  }
}
