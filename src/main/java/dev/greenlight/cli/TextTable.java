package dev.greenlight.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Columns of text for a terminal: each column as wide as its widest cell (at least its minimum, so rows printed one
 * by one while a deployment runs still line up), two spaces between columns, the last one never padded.
 */
final class TextTable {
    private final List<String> headings;
    private final int[] widths;

    TextTable(List<String> headings, int... minimumWidths) {
        this.headings = headings;
        this.widths = new int[headings.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(headings.get(i).length(), i < minimumWidths.length ? minimumWidths[i] : 0);
        }
    }

    /** Widens the columns to fit {@code rows}. */
    TextTable fit(List<List<String>> rows) {
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        return this;
    }

    String header() {
        return row(headings);
    }

    String row(List<String> cells) {
        List<String> padded = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            padded.add(i == cells.size() - 1 ? cell : cell + " ".repeat(Math.max(0, widths[i] - cell.length())));
        }
        return String.join("  ", padded).stripTrailing();
    }
}
