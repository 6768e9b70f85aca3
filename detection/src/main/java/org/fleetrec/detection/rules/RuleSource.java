package org.fleetrec.detection.rules;

/**
 * One rule's YAML and where it came from, before it is parsed: {@code origin} says who provides it
 * (shipped, folder, api), {@code name} names it in reports (a file name or path).
 */
public record RuleSource(String origin, String name, String yaml) {
}
