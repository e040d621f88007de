package dev.greenlight.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that calls the API: the service and token options, the client, and its exit as a number. */
abstract class ApiCommand implements Callable<Integer> {
    @ParentCommand
    GreenlightCli cli;

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        URI base = service.baseUrl(cli.environment());
        String token = service.token(cli.environment());
        if ("http".equals(base.getScheme()) && !loopback(base.getHost())) {
            err().println("greenlight: warning: the token goes to " + base + " unencrypted: use https:// beyond this "
                    + "machine");
        }
        return run(new ApiClient(base, token)).code();
    }

    abstract Exit run(ApiClient api);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    boolean json() {
        return service.json;
    }

    /** Whether {@code host} is this machine, judged without asking a name server about any other name. */
    private static boolean loopback(String host) {
        if (host.equals("localhost")) return true;
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) return false;
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
