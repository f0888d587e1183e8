package io.github.ssm4j.examples.recipes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The recipes by name. */
public final class Recipes {
    private static final Map<String, Recipe> BY_NAME = new LinkedHashMap<>();

    static {
        add(MlpRecipe.score());
        add(MlpRecipe.energy());
        add(new NcsnLiteRecipe());
        add(new LeNetEbmRecipe());
        add(new UNetScoreRecipe());
        add(new NiceRecipe());
    }

    private Recipes() {
    }

    private static void add(Recipe r) {
        BY_NAME.put(r.name(), r);
    }

    public static List<Recipe> all() {
        return List.copyOf(BY_NAME.values());
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The recipe called {@code name}; an unknown name lists the known ones. */
    public static Recipe get(String name) {
        Recipe r = BY_NAME.get(name);
        if (r == null) {
            throw new IllegalArgumentException("Unknown model '" + name + "'; the zoo has: " + String.join(", ", names()));
        }
        return r;
    }
}
