package dev.greenlight;

import dev.greenlight.demo.Demo;
import dev.greenlight.demo.DemoWelcome;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceSupport;

/** Ties the demo to the service's life: welcomed once the service serves, removed when it stops. */
final class DemoLifecycle extends MainListenerSupport {
    private final Demo demo;

    DemoLifecycle(Demo demo) {
        this.demo = demo;
    }

    /**
     * The demo's removal is a service of the context, added before the store's, so stopped after it: the demo's
     * files go last. A stop by a signal ends the JVM as soon as Camel has stopped, before main() could close it.
     */
    @Override
    public void beforeConfigure(BaseMainSupport starting) {
        try {
            starting.getCamelContext().addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    demo.close();
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the demo's removal", e);
        }
    }

    /** The first deployments wait for pipelines: off the start-up thread, so the service finishes starting. */
    @Override
    public void afterStart(BaseMainSupport started) {
        int port = started.getCamelContext().getRegistry()
                .lookupByNameAndType("platform-http-engine", ServerPortEngine.class).getServerPort();
        DemoWelcome welcome = new DemoWelcome("http://127.0.0.1:" + port, demo.token());
        Thread thread = new Thread(() -> welcome.run(System.out, demo.directory().toString()), "demo-welcome");
        thread.setDaemon(true);
        thread.start();
    }
}
