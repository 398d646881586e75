public class Hello {
    public static void main(String[] args) throws Exception {
        System.out.println("hello from " + ProcessHandle.current().pid());
        if (args.length > 0) Thread.sleep(Long.parseLong(args[0]));
    }
}
