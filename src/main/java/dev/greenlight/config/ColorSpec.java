package dev.greenlight.config;

/** One colour of a blue-green environment: its name ({@code {{color}}}) and the port it serves on ({@code {{port}}}). */
public record ColorSpec(String name, int port) {
}
