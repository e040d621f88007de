package dev.greenlight.incident;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkdownTest {
    @Test
    void recordedTextCannotBreakATableRowFormatOrMentionAnyone() {
        String cell = Markdown.cell("exit 1 | see *this* [link](http://x) @octocat\nnext line", 200);
        assertThat(cell).isEqualTo("exit 1 \\| see \\*this\\* \\[link\\](http://x) \\@octocat next line");
        assertThat(Markdown.cell("   ", 10)).isEqualTo("–");
        assertThat(Markdown.cell("abcdefghijkl", 5)).isEqualTo("abcd…");
    }

    @Test
    void aCodeBlockIsFencedLongerThanAnyRunOfBackticksInIt() {
        assertThat(Markdown.codeBlock("plain\n")).isEqualTo("```text\nplain\n```\n");
        assertThat(Markdown.codeBlock("a ``` b ````` c")).isEqualTo("``````text\na ``` b ````` c\n``````\n");
    }
}
