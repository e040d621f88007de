package dev.greenlight.faults;

/** What a deployment has changed when a stage fails: the design's end state follows from it. */
enum Change {
    /** Nothing touched yet: the deployment ends {@code failed}, nothing to undo. */
    NOTHING,
    /** Hosts changed, traffic not moved (rolling: hosts touched; blue-green: the idle colour deployed). */
    HOSTS,
    /** Blue-green traffic moved to the new colour on at least one host: the rollback restores the database. */
    TRAFFIC,
    /** The release is done (its last step): a failure there is recorded and the release stands. */
    RELEASE
}
