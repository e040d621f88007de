package dev.greenlight.incident;

import java.io.IOException;
import java.util.List;
import org.eclipse.egit.github.core.IRepositoryIdProvider;
import org.eclipse.egit.github.core.Issue;
import org.eclipse.egit.github.core.Label;
import org.eclipse.egit.github.core.client.GitHubClient;
import org.eclipse.egit.github.core.service.IssueService;

/**
 * The issue service camel-github's {@code createIssue} producer uses (it looks one up in the registry under the name
 * {@link #BEAN}, spelt so by camel-github). The producer sets only an issue's title and body; this service adds the
 * {@code incident} label before egit sends the issue, so the issue is created with its label in one request, and
 * there is no half-done issue without it.
 */
final class IncidentIssueService extends IssueService {
    static final String BEAN = "githbIssueService";
    static final String LABEL = "incident";

    IncidentIssueService(GitHubClient client) {
        super(client);
    }

    @Override
    public Issue createIssue(IRepositoryIdProvider repository, Issue issue) throws IOException {
        return super.createIssue(repository, issue.setLabels(List.of(new Label().setName(LABEL))));
    }
}
