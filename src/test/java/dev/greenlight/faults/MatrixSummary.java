package dev.greenlight.faults;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The matrix's outcome, cell by cell, printed as one table at the end of the run. */
final class MatrixSummary {
    private final Map<Stage, Map<Fault, String>> marks = new EnumMap<>(Stage.class);
    private final Map<String, String> notApplicable = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();

    void notApplicable(Stage stage, Fault fault, String reason) {
        mark(stage, fault, "n.a.");
        notApplicable.put(stage.cellName(fault), reason);
    }

    /** An applicable cell this run leaves out: listed with the reason, not counted. */
    void skipped(Stage stage, Fault fault, String reason) {
        mark(stage, fault, "skipped");
        skipped.put(stage.cellName(fault), reason);
    }

    void passed(Cell cell) {
        mark(cell.stage(), cell.fault(), "pass");
    }

    void failed(Cell cell, Throwable why) {
        mark(cell.stage(), cell.fault(), "FAIL");
        String message = String.valueOf(why.getMessage()).strip();
        failures.put(cell.name(), message.length() > 600 ? message.substring(0, 600) + "…" : message);
    }

    private void mark(Stage stage, Fault fault, String mark) {
        marks.computeIfAbsent(stage, s -> new EnumMap<>(Fault.class)).put(fault, mark);
    }

    String render() {
        StringBuilder out = new StringBuilder("\nFault matrix (stage × fault)\n");
        String row = "%-12s %-28s" + " %-18s".repeat(Fault.values().length) + "%n";
        Object[] header = new Object[Fault.values().length + 2];
        header[0] = "pipeline";
        header[1] = "stage";
        for (Fault f : Fault.values()) header[f.ordinal() + 2] = f.label();
        out.append(String.format(row, header));
        int passed = 0;
        int total = 0;
        for (Map.Entry<Stage, Map<Fault, String>> e : marks.entrySet()) {
            Object[] cells = new Object[Fault.values().length + 2];
            cells[0] = e.getKey().pipeline().environment();
            cells[1] = e.getKey().label();
            for (Fault f : Fault.values()) {
                String mark = e.getValue().getOrDefault(f, "not run");
                cells[f.ordinal() + 2] = mark;
                if (mark.equals("pass")) passed++;
                if (mark.equals("pass") || mark.equals("FAIL")) total++;
            }
            out.append(String.format(row, cells));
        }
        out.append("\nNot applicable:\n");
        notApplicable.forEach((cell, reason) -> out.append("  ").append(cell).append(": ").append(reason).append('\n'));
        if (!skipped.isEmpty()) {
            out.append("\nSkipped in this run:\n");
            skipped.forEach((cell, reason) -> out.append("  ").append(cell).append(": ").append(reason).append('\n'));
        }
        if (!failures.isEmpty()) {
            out.append("\nFailed cells:\n");
            failures.forEach((cell, why) -> out.append("  ").append(cell).append(": ").append(why).append('\n'));
        }
        out.append("\nfault matrix: ").append(passed).append('/').append(total).append(" cells passed");
        if (!skipped.isEmpty()) out.append(" (").append(skipped.size()).append(" skipped)");
        out.append('\n');
        return out.toString();
    }
}
