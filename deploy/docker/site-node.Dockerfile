# A hospital's site node. Build from the repository root after `./mvnw -DskipTests package`:
#   docker build -f deploy/docker/site-node.Dockerfile -t medfed/site-node:0.1.0 .
# The image holds no coordinator code. It needs no inbound port: the node only dials out.
FROM eclipse-temurin:25.0.3_9-jre-noble

RUN groupadd --system --gid 10001 medfed \
 && useradd --system --uid 10001 --gid medfed --home-dir /var/lib/medfed --shell /usr/sbin/nologin medfed \
 && mkdir -p /opt/medfed /var/lib/medfed /etc/medfed /data \
 && chown medfed:medfed /var/lib/medfed

COPY site-node/target/lib/ /opt/medfed/lib/
COPY site-node/target/medfed-site-node.jar /opt/medfed/medfed-site-node.jar

USER 10001:10001
WORKDIR /var/lib/medfed
# /etc/medfed: the startup kit (site.yaml with state-dir: /var/lib/medfed, TLS files, mapping);
# /data: the hospital's records, mounted read-only; /var/lib/medfed: egress ledger, heartbeat.
VOLUME ["/var/lib/medfed"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["java", "-jar", "/opt/medfed/medfed-site-node.jar", "--config", "/etc/medfed/site.yaml", "--health"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/medfed/medfed-site-node.jar", "--config", "/etc/medfed/site.yaml"]
