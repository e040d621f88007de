package dev.greenlight.faults;

/** The two pipelines the matrix walks, each an environment of the matrix's one service. */
enum Pipeline {
    ROLLING("staging"),
    BLUE_GREEN("production");

    private final String environment;

    Pipeline(String environment) {
        this.environment = environment;
    }

    String environment() {
        return environment;
    }
}
