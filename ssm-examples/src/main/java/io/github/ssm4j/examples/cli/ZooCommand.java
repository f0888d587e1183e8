package io.github.ssm4j.examples.cli;

import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.examples.recipes.Recipes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ssm zoo}: lists the recipes with their default objective, dataset and expected run time. */
@Command(name = "zoo", mixinStandardHelpOptions = true, description = "List the model-zoo recipes.")
final class ZooCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf("%-16s %-17s %-18s %-22s %s%n", "model", "objective", "dataset", "full run (2 cores)",
                "description");
        for (Recipe r : Recipes.all()) {
            System.out.printf("%-16s %-17s %-18s %-22s %s%n", r.name(), r.defaultObjective().name(),
                    r.defaultDataset(), r.expectedRunTime(), r.description());
        }
        return 0;
    }
}
