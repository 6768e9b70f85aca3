package org.fleetrec.detection.sigma;

/** A rule's {@code logsource}: which logs it was written for. Any part may be null (not given). */
public record LogSource(String product, String category, String service) {
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (product != null) s.append("product=").append(product);
        if (category != null) s.append(s.isEmpty() ? "" : " ").append("category=").append(category);
        if (service != null) s.append(s.isEmpty() ? "" : " ").append("service=").append(service);
        return s.isEmpty() ? "(any)" : s.toString();
    }
}
