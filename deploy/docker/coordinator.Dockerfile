# The consortium's coordinator. Build from the repository root after `./mvnw -DskipTests package`:
#   docker build -f deploy/docker/coordinator.Dockerfile -t medfed/coordinator:0.1.0 .
# Pinned base: Temurin 25.0.3+9 JRE on Ubuntu 24.04 (pin the digest too in your registry mirror).
FROM eclipse-temurin:25.0.3_9-jre-noble

RUN groupadd --system --gid 10001 medfed \
 && useradd --system --uid 10001 --gid medfed --home-dir /var/lib/medfed --shell /usr/sbin/nologin medfed \
 && mkdir -p /opt/medfed /var/lib/medfed /etc/medfed \
 && chown medfed:medfed /var/lib/medfed

COPY coordinator/target/lib/ /opt/medfed/lib/
COPY coordinator/target/medfed-coordinator.jar /opt/medfed/medfed-coordinator.jar

USER 10001:10001
WORKDIR /var/lib/medfed
# gRPC federation endpoint (sites dial in) and the consortium's REST API.
EXPOSE 7443 8080
# /etc/medfed: study.yaml and the TLS files (read-only); /var/lib/medfed: checkpoints and the
# exchange log (a persistent volume).
VOLUME ["/var/lib/medfed"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["java", "-cp", "/opt/medfed/medfed-coordinator.jar", "org.medfed.coordinator.HealthProbe", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/medfed/medfed-coordinator.jar", "serve", \
  "--medfed.study-file=/etc/medfed/study.yaml", \
  "--medfed.data-dir=/var/lib/medfed", \
  "--medfed.tls.certificate=/etc/medfed/tls/coordinator.crt.pem", \
  "--medfed.tls.private-key=/etc/medfed/tls/coordinator.key.pem", \
  "--medfed.tls.ca-certificate=/etc/medfed/tls/ca.crt.pem", \
  "--medfed.grpc.port=7443", \
  "--micronaut.server.port=8080"]
