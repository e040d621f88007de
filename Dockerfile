# Greenlight: build the runnable jar, then run it on a JRE with the routes and settings beside it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/greenlight greenlight
WORKDIR /opt/greenlight
COPY --from=build /src/target/greenlight.jar ./greenlight.jar
COPY routes ./routes
COPY application.properties ./
# greenlight.yaml, SSH keys and known_hosts are mounted by the operator (see docker-compose.yml)
USER greenlight
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=3s CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /observe/health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q UP <&3"]
# 256 MB of heap kept a 100-host deployment under 512 MB of RSS (bench/results/rolling.md); raise it with
# -e JAVA_TOOL_OPTIONS=-Xmx512m for larger environments
ENV JAVA_TOOL_OPTIONS="-Xmx256m"
ENTRYPOINT ["java", "-jar", "greenlight.jar"]
