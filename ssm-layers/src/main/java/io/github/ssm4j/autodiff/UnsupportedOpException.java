package io.github.ssm4j.autodiff;

/**
 * Thrown at transformation time when an op on the path from the differentiated input to the output has
 * no derivative rule. ssm4j never substitutes a silent zero derivative.
 */
public class UnsupportedOpException extends IllegalStateException {
    private final String opName;

    public UnsupportedOpException(String opName, String opClass, String opInstance, String producedVariable) {
        this(opName, opClass, opInstance, producedVariable, null);
    }

    /**
     * @param knownBroken why the op is deliberately unsupported (its ND4J implementation is broken) and what
     *                    to use instead, or null for an op that merely has no rule yet
     */
    public UnsupportedOpException(String opName, String opClass, String opInstance, String producedVariable,
                                  String knownBroken) {
        super("No derivative rule for op '" + opName + "' (" + opClass + ", instance '" + opInstance
                + "', producing variable '" + producedVariable + "') on the path being differentiated. "
                + (knownBroken != null ? knownBroken
                : "Register one with DerivativeRules.register(\"" + opName + "\", jvpRule, vjpRule) "
                + "(see DerivativeRules' Javadoc for an example), or build the graph from supported ops: "
                + "DerivativeRules.supportedOps() lists them."));
        this.opName = opName;
    }

    /** The SameDiff op name that has no rule. */
    public String opName() {
        return opName;
    }
}
