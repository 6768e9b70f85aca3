package org.fleetrec.detection.rules;

import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules a server has of its own: the shipped set and the files of its rule folders, in that
 * order. A folder file that cannot be read (too large, not UTF-8) is in {@code unreadable} with the
 * reason, named by its path.
 */
public record LocalRules(List<RuleSource> sources, List<Rejected> unreadable) {
    public LocalRules {
        sources = List.copyOf(sources);
        unreadable = List.copyOf(unreadable);
    }

    public static LocalRules read(List<RuleSource> shipped, List<Path> folders) throws IOException {
        List<RuleSource> sources = new ArrayList<>(shipped);
        List<Rejected> unreadable = new ArrayList<>();
        for (Path folder : folders) {
            for (Path file : RuleFiles.list(folder)) {
                try {
                    sources.add(new RuleSource(RuleCatalog.FOLDER, file.toString(), RuleFiles.read(file)));
                } catch (RuleException e) {
                    unreadable.add(new Rejected(file.toString(), null, null, e.reason(), false));
                }
            }
        }
        return new LocalRules(sources, unreadable);
    }
}
