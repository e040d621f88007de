package dev.greenlight.faults;

/** The HTTP check a stage makes, where an endpoint's answer can be the fault. */
enum Check {
    NONE,
    /** Before anything changes, the live colour's health on its own port (blue-green). */
    LIVE_BEFORE,
    /** The health paths of the version being deployed (rolling: the host; blue-green: the idle colour's port). */
    HEALTH,
    /** The smoke tests against every host. */
    SMOKE,
    /** Health through the live path right after the switch. */
    LIVE_HEALTH,
    /** The post-switch watch of the live path's error count. */
    WATCH
}
