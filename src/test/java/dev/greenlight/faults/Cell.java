package dev.greenlight.faults;

/**
 * One cell of the matrix: {@code fault} at {@code stage}, while deploying {@code version} over
 * {@code previousVersion} (the environment's live version when the cell starts).
 */
record Cell(Stage stage, Fault fault, String version, String previousVersion) {
    String name() {
        return stage.cellName(fault);
    }
}
