# Greenlight: build the runnable jar, which carries the routes and the default settings, then run it on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY application.properties ./
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/greenlight greenlight
WORKDIR /opt/greenlight
COPY --from=build /src/target/greenlight.jar ./greenlight.jar
# the embedded H2 database, used when GREENLIGHT_DB_URL is not set, lives under ./data/
RUN mkdir data && chown greenlight:greenlight data
# greenlight.yaml, SSH keys and known_hosts are mounted by the operator (see docker-compose.yml); settings that
# differ from the jar's come as environment variables (CAMEL_SERVER_PORT, ...) or a mounted application.properties
# The image is for real installations: it names its configuration, so a container never falls into demo mode (which
# would serve on the container's loopback only); without the mounted file it stops at once saying so.
ENV GREENLIGHT_CONFIG=/etc/greenlight/greenlight.yaml
USER greenlight
EXPOSE 8080 8081
# bash, not sh: /dev/tcp is bash's, and the image's sh is dash. Healthy when the management server answers 200.
HEALTHCHECK --interval=30s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${CAMEL_MANAGEMENT_PORT:-8081} && printf 'GET /observe/health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# 256 MB of heap kept a 100-host deployment under 512 MB of RSS (bench/results/rolling.md); raise it with
# -e JAVA_TOOL_OPTIONS=-Xmx512m for larger environments
ENV JAVA_TOOL_OPTIONS="-Xmx256m"
ENTRYPOINT ["java", "-jar", "greenlight.jar"]
